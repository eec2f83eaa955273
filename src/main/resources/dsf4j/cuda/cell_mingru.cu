// minGRU (Feng et al. 2024), gates z, h~ (column blocks [0,H), [H,2H)), one thread per (row, unit), under
// the float32 contract written once in dsf4j.config.CellType (the fast engine's engine/fast/MinGruKernel is
// the same cell): gi = x W_ih^T + b_ih comes in with its bias, [rows, 2H]; no gate reads h, so there is no
// gh (the argument is unused) and no W_hh.
//   z = sig(gi_z), h~ = gi_h~, h' = (1 - z) h + z h~;  cache [z, h~], [rows, 2H]
// Backward (local, s_prev held fixed): dgi, [rows, 2H] (no dgh); when eprev is not null, the direct part
// delta * (1 - z) is added to it: all of delta * J, J = diag(1 - z).

extern "C" __global__ void mingru_forward(const float* gi, const float* gh, const float* sprev, float* s, float* cache,
                                          int rows, int H) {
    FOR_EACH(i, (idx_t)rows * H) {
        idx_t row = i / H;
        int j = (int)(i % H);
        idx_t g = row * 2 * H;
        float z = sigmoidf_(gi[g + j]), ht = gi[g + H + j];
        cache[g + j] = z;
        cache[g + H + j] = ht;
        s[i] = (1.0f - z) * sprev[i] + z * ht;
    }
}

extern "C" __global__ void mingru_backward(const float* delta, const float* s, const float* sprev, const float* cache,
                                           float* dgi, float* dgh, float* eprev, int rows, int H) {
    FOR_EACH(i, (idx_t)rows * H) {
        idx_t row = i / H;
        int j = (int)(i % H);
        idx_t g = row * 2 * H;
        float z = cache[g + j], ht = cache[g + H + j], d = delta[i];
        dgi[g + j] = d * (ht - sprev[i]) * z * (1.0f - z);
        dgi[g + H + j] = d * z;
        if (eprev) eprev[i] += d * (1.0f - z);
    }
}
