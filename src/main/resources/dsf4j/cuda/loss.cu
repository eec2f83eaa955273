// Softmax cross-entropy over rows of logits, pad targets ignored, the gradient's squared norm, and Adam.
//
// hyper (device float[HYPER_COUNT], uploaded by the host before each step), by name; the names and
// indices are those of dsf4j.engine.cuda.Hyper (HyperTest holds the two together):
#define HYPER_INV_COUNT 0          // 1 / the number of non-pad targets
#define HYPER_LR 1                 // learning rate
#define HYPER_BETA1 2
#define HYPER_BETA2 3
#define HYPER_EPS 4
#define HYPER_WEIGHT_DECAY 5
#define HYPER_BIAS_CORRECTION1 6   // 1 - beta1^t
#define HYPER_BIAS_CORRECTION2 7   // 1 - beta2^t
#define HYPER_DECOUPLED 8          // 1 for AdamW's decoupled decay, 0 for Adam's coupled L2
#define HYPER_MAX_NORM 9           // max gradient norm (0: no clipping)
#define HYPER_COUNT 10
// sums (device double[2]): [0] sum of the cross-entropy over non-pad targets, [1] sum of g^2 over
//   every trainable gradient (sum_squares)
#define CE_THREADS 256   // = Gpu.THREADS, the block size Java launches these kernels with (KernelSourceTest)

__device__ float block_reduce(float v, bool isMax, float* shared) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    v = isMax ? warp_max(v) : warp_sum(v);
    if (lane == 0) shared[w] = v;
    __syncthreads();
    if (w == 0) {
        float t = lane < (CE_THREADS / 32) ? shared[lane] : (isMax ? NEG_INF : 0.0f);
        t = isMax ? warp_max(t) : warp_sum(t);
        if (lane == 0) shared[0] = t;
    }
    __syncthreads();
    float r = shared[0];
    __syncthreads();
    return r;
}

// One block of CE_THREADS per row. z = logits[r, :] + bias; l = logsumexp(z) - z[target];
// sums[0] += l (double). When writeGrad, logits[r, :] becomes dl/dz * scale = (softmax(z) - onehot) / count,
// or 0 on a pad row.
extern "C" __global__ void cross_entropy(float* logits, const float* bias, const int* targets, double* sums,
                                         const float* hyper, int rows, int V, int pad, int writeGrad) {
    __shared__ float shared[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    float* z = logits + (idx_t)r * V;
    int target = targets[r];
    if (target == pad) {
        if (writeGrad) for (int c = threadIdx.x; c < V; c += CE_THREADS) z[c] = 0.0f;
        return;
    }
    float m = NEG_INF;
    for (int c = threadIdx.x; c < V; c += CE_THREADS) m = fmaxf(m, z[c] + bias[c]);
    m = block_reduce(m, true, shared);
    float s = 0.0f;
    for (int c = threadIdx.x; c < V; c += CE_THREADS) s += expf(z[c] + bias[c] - m);
    s = block_reduce(s, false, shared);
    float logZ = m + logf(s);
    if (threadIdx.x == 0) atomicAdd(&sums[0], (double)(logZ - (z[target] + bias[target])));
    __syncthreads();   // z[target] is read above before any thread overwrites it
    if (writeGrad) {
        float scale = hyper[HYPER_INV_COUNT];
        for (int c = threadIdx.x; c < V; c += CE_THREADS) {
            float p = expf(z[c] + bias[c] - logZ);
            z[c] = scale * (c == target ? p - 1.0f : p);
        }
    }
}

// sums[1] += sum of g[i]^2 (double), for the global gradient norm ||g|| = sqrt(sums[1]).
// Blocks of CE_THREADS threads, grid-stride; one atomic per block.
extern "C" __global__ void sum_squares(const float* g, double* sums, int n) {
    __shared__ double part[CE_THREADS / 32];
    double s = 0.0;
    FOR_EACH(i, n) {
        double v = g[i];
        s += v * v;
    }
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
    if ((threadIdx.x & 31) == 0) part[threadIdx.x >> 5] = s;
    __syncthreads();
    if (threadIdx.x == 0) {
        double t = 0.0;
        for (int w = 0; w < CE_THREADS / 32; w++) t += part[w];
        atomicAdd(&sums[1], t);
    }
}

// One Adam step over every trainable float, torch.optim.Adam (coupled L2) or AdamW (decoupled), after
// clip_grad_norm_ (scale min(1, clip / (||g|| + 1e-6))):
//   Adam:  g' = s g + wd p;  AdamW: g' = s g, p *= 1 - lr wd
//   m = b1 m + (1-b1) g'; v = b2 v + (1-b2) g'^2; p -= lr (m/bc1) / (sqrt(v/bc2) + eps)
// When the loss or the norm is not finite nothing changes (the host then counts the update as skipped).
extern "C" __global__ void adam(float* p, const float* g, float* m, float* v, const float* hyper, const double* sums, int n) {
    double norm = sqrt(sums[1]);
    if (!finite_(sums[0]) || !finite_(norm)) return;
    float lr = hyper[HYPER_LR], b1 = hyper[HYPER_BETA1], b2 = hyper[HYPER_BETA2], eps = hyper[HYPER_EPS], wd = hyper[HYPER_WEIGHT_DECAY];
    float bc1 = hyper[HYPER_BIAS_CORRECTION1], bc2 = hyper[HYPER_BIAS_CORRECTION2];
    bool decoupled = hyper[HYPER_DECOUPLED] != 0.0f;
    double clip = hyper[HYPER_MAX_NORM];
    float scale = clip > 0.0 && norm > clip ? (float)(clip / (norm + 1e-6)) : 1.0f;
    float shrink = decoupled ? 1.0f - lr * wd : 1.0f;
    FOR_EACH(i, n) {
        float gi = scale * g[i];
        if (!decoupled) gi += wd * p[i];
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * shrink - lr * (mi / bc1) / (sqrtf(vi / bc2) + eps);
    }
}
