// GRU, gates r, z, n (column blocks [0,H), [H,2H), [2H,3H)), one thread per (row, unit), under the float32
// contract written once in dsf4j.config.CellType (the fast engine's engine/fast/GruKernel is the same cell):
// gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh come in with their biases, [rows, 3H] each.
//   r = sig(gi_r + gh_r), z = sig(gi_z + gh_z), n = tanh(gi_n + r * gh_n), h' = (1 - z) n + z h
//   cache [r, z, n, gh_n], [rows, 4H]
// Backward (local, s_prev held fixed): dgi, and dgh (its own array: dgh_n = dgi_n * r), [rows, 3H]; when
// eprev is not null, the direct part delta * z is added to it (the part through W_hh is the host's GEMM).

extern "C" __global__ void gru_forward(const float* gi, const float* gh, const float* sprev, float* s, float* cache,
                                       int rows, int H) {
    FOR_EACH(i, (idx_t)rows * H) {
        idx_t row = i / H;
        int j = (int)(i % H);
        idx_t g = row * 3 * H, c = row * 4 * H;
        float r = sigmoidf_(gi[g + j] + gh[g + j]);
        float z = sigmoidf_(gi[g + H + j] + gh[g + H + j]);
        float ghn = gh[g + 2 * H + j];
        float n = tanhf(gi[g + 2 * H + j] + r * ghn);
        cache[c + j] = r;
        cache[c + H + j] = z;
        cache[c + 2 * H + j] = n;
        cache[c + 3 * H + j] = ghn;
        s[i] = (1.0f - z) * n + z * sprev[i];
    }
}

extern "C" __global__ void gru_backward(const float* delta, const float* s, const float* sprev, const float* cache,
                                        float* dgi, float* dgh, float* eprev, int rows, int H) {
    FOR_EACH(i, (idx_t)rows * H) {
        idx_t row = i / H;
        int j = (int)(i % H);
        idx_t g = row * 3 * H, c = row * 4 * H;
        float r = cache[c + j], z = cache[c + H + j], n = cache[c + 2 * H + j], ghn = cache[c + 3 * H + j];
        float d = delta[i];
        float dn = d * (1.0f - z) * (1.0f - n * n);
        float dz = d * (sprev[i] - n) * z * (1.0f - z);
        float dr = dn * ghn * r * (1.0f - r);
        dgi[g + j] = dr;
        dgi[g + H + j] = dz;
        dgi[g + 2 * H + j] = dn;
        dgh[g + j] = dr;
        dgh[g + H + j] = dz;
        dgh[g + 2 * H + j] = dn * r;
        if (eprev) eprev[i] += d * z;
    }
}
