// dsf4j CUDA kernels: shared definitions, prepended to every .cu file of this folder before NVRTC
// (or nvcc in the tests) compiles them as one program. Conventions for every kernel:
//   - float32 data, row-major, activations time-major: row t*B + b holds position t of sequence b;
//   - "rows" counts rows, widths are in floats; offsets that can pass 2^31 are idx_t;
//   - nothing from the C library: NVRTC compiles without system headers, so no size_t, no INFINITY;
//   - kernels are extern "C" so the host finds them by their plain name;
//   - a pointer argument documented "or null" is tested against 0 inside the kernel.

typedef unsigned long long idx_t;
#define NEG_INF __int_as_float(0xff800000)

__device__ __forceinline__ float sigmoidf_(float x) { return 1.0f / (1.0f + expf(-x)); }

// Neither NaN nor infinite: the exponent bits are not all ones (no isfinite without headers).
__device__ __forceinline__ bool finite_(double x) { return ((__double_as_longlong(x) >> 52) & 0x7ff) != 0x7ff; }

// One thread per element of an n-element grid-stride loop.
#define FOR_EACH(i, n) for (idx_t i = (idx_t)blockIdx.x * blockDim.x + threadIdx.x; i < (idx_t)(n); i += (idx_t)blockDim.x * gridDim.x)

// Sum of v over the 32 lanes of a warp (every lane gets it).
__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}
