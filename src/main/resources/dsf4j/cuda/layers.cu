// The non-recurrent parts of the language model: embedding, residual adds, column sums (bias
// gradients), LayerNorm (eps 1e-5, biased variance), exact-erf GELU.

// x[r, :] = emb[ids[r], :]                                              x [n, H], emb [V, H]
extern "C" __global__ void embedding_forward(const int* ids, const float* emb, float* x, int n, int H) {
    FOR_EACH(i, (idx_t)n * H) {
        idx_t r = i / H;
        x[i] = emb[(idx_t)ids[r] * H + (i % H)];
    }
}

// demb[ids[r], :] += dx[r, :]                                           (atomic: ids repeat)
extern "C" __global__ void embedding_backward(const int* ids, const float* dx, float* demb, int n, int H) {
    FOR_EACH(i, (idx_t)n * H) {
        idx_t r = i / H;
        atomicAdd(&demb[(idx_t)ids[r] * H + (i % H)], dx[i]);
    }
}

// y = a + b + bias, a and b [rows, cols] or null, bias [cols] (broadcast over rows) or null; y may be a.
extern "C" __global__ void add_residual(float* y, const float* a, const float* b, const float* bias, int rows, int cols) {
    FOR_EACH(i, (idx_t)rows * cols) {
        float v = a ? a[i] : 0.0f;
        if (b) v += b[i];
        if (bias) v += bias[i % cols];
        y[i] = v;
    }
}

// out[c] += sum_r m[r, c] for the first cols columns of m [rows, ld]. Block (32, 8): 32 columns, 8 row lanes;
// grid (ceil(cols/32), ceil(rows/rowsPerBlock)).
extern "C" __global__ void column_sums(const float* m, float* out, int rows, int cols, int ld, int rowsPerBlock) {
    __shared__ float part[8][33];
    int c = blockIdx.x * 32 + threadIdx.x;
    int r0 = blockIdx.y * rowsPerBlock;
    int r1 = r0 + rowsPerBlock < rows ? r0 + rowsPerBlock : rows;
    float s = 0.0f;
    if (c < cols) {
        for (int r = r0 + threadIdx.y; r < r1; r += 8) s += m[(idx_t)r * ld + c];
    }
    part[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        float t = 0.0f;
        for (int k = 0; k < 8; k++) t += part[k][threadIdx.x];
        atomicAdd(&out[c], t);
    }
}

// y = (x - mean) * rstd * gamma + beta per row; stats[r] = (mean, rstd). One warp per row.
extern "C" __global__ void layer_norm_forward(const float* x, const float* gamma, const float* beta, float* y,
                                              float* stats, int rows, int W) {
    int warp = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
    if (warp >= rows) return;
    const float* xr = x + (idx_t)warp * W;
    float s = 0.0f;
    for (int c = lane; c < W; c += 32) s += xr[c];
    float mean = warp_sum(s) / W;
    float v = 0.0f;
    for (int c = lane; c < W; c += 32) { float d = xr[c] - mean; v += d * d; }
    float rstd = rsqrtf(warp_sum(v) / W + 1e-5f);
    float* yr = y + (idx_t)warp * W;
    for (int c = lane; c < W; c += 32) yr[c] = (xr[c] - mean) * rstd * gamma[c] + beta[c];
    if (lane == 0) { stats[2 * (idx_t)warp] = mean; stats[2 * (idx_t)warp + 1] = rstd; }
}

// g = dy * gamma, xhat = (x - mean) * rstd:
//   dx (= or +=, by accumulate) = (g - mean(g) - xhat * mean(g * xhat)) * rstd
//   dyxhat[r, c] = dy * xhat   (the host sums its columns into dgamma, and dy's into dbeta)
extern "C" __global__ void layer_norm_backward(const float* x, const float* gamma, const float* stats, const float* dy,
                                               float* dx, float* dyxhat, int rows, int W, int accumulate) {
    int warp = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
    if (warp >= rows) return;
    idx_t o = (idx_t)warp * W;
    float mean = stats[2 * (idx_t)warp], rstd = stats[2 * (idx_t)warp + 1];
    float sg = 0.0f, sgx = 0.0f;
    for (int c = lane; c < W; c += 32) {
        float xh = (x[o + c] - mean) * rstd;
        float g = dy[o + c] * gamma[c];
        sg += g;
        sgx += g * xh;
        dyxhat[o + c] = dy[o + c] * xh;
    }
    float mg = warp_sum(sg) / W, mgx = warp_sum(sgx) / W;
    for (int c = lane; c < W; c += 32) {
        float xh = (x[o + c] - mean) * rstd;
        float v = (dy[o + c] * gamma[c] - mg - xh * mgx) * rstd;
        dx[o + c] = accumulate ? dx[o + c] + v : v;
    }
}

// y = x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2: PyTorch's exact GELU. x, y [rows, cols].
extern "C" __global__ void gelu_forward(const float* x, float* y, int rows, int cols) {
    FOR_EACH(i, (idx_t)rows * cols) {
        float v = x[i];
        y[i] = 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
    }
}

// dy *= GELU'(x) = Phi(x) + x * phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi). In place on dy [rows, cols].
extern "C" __global__ void gelu_backward(const float* x, float* dy, int rows, int cols) {
    FOR_EACH(i, (idx_t)rows * cols) {
        float v = x[i];
        float d = 0.5f * (1.0f + erff(v * 0.70710678118654752f)) + v * expf(-0.5f * v * v) * 0.39894228040143268f;
        dy[i] *= d;
    }
}
