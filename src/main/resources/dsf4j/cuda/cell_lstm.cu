// LSTM, gates i, f, g, o (column blocks of H), one thread per (row, unit), under the float32 contract
// written once in dsf4j.config.CellType (the fast engine's engine/fast/LstmKernel is the same cell):
// gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh come in with their biases, [rows, 4H] each; the gates read
// the h half of s_prev = [h, c], width 2H.
//   i, f, o = sig(gi + gh), g = tanh(gi + gh); c' = f c + i g; h' = o tanh(c'); s = [h', c']
//   cache [i, f, g, o, tanh c'], [rows, 5H]
// Backward (local, s_prev held fixed): dgi (dgh is dgi), [rows, 4H]; when eprev is not null, the direct part
// dc * f is added to its c half (the h half goes through W_hh: the host's GEMM).

extern "C" __global__ void lstm_forward(const float* gi, const float* gh, const float* sprev, float* s, float* cache,
                                        int rows, int H) {
    FOR_EACH(idx, (idx_t)rows * H) {
        idx_t row = idx / H;
        int j = (int)(idx % H);
        idx_t g = row * 4 * H, st = row * 2 * H, c = row * 5 * H;
        float ig = sigmoidf_(gi[g + j] + gh[g + j]);
        float fg = sigmoidf_(gi[g + H + j] + gh[g + H + j]);
        float gg = tanhf(gi[g + 2 * H + j] + gh[g + 2 * H + j]);
        float og = sigmoidf_(gi[g + 3 * H + j] + gh[g + 3 * H + j]);
        float cc = fg * sprev[st + H + j] + ig * gg;
        float tc = tanhf(cc);
        cache[c + j] = ig;
        cache[c + H + j] = fg;
        cache[c + 2 * H + j] = gg;
        cache[c + 3 * H + j] = og;
        cache[c + 4 * H + j] = tc;
        s[st + j] = og * tc;
        s[st + H + j] = cc;
    }
}

extern "C" __global__ void lstm_backward(const float* delta, const float* s, const float* sprev, const float* cache,
                                         float* dgi, float* dgh, float* eprev, int rows, int H) {
    FOR_EACH(idx, (idx_t)rows * H) {
        idx_t row = idx / H;
        int j = (int)(idx % H);
        idx_t g = row * 4 * H, st = row * 2 * H, c = row * 5 * H;
        float ig = cache[c + j], fg = cache[c + H + j], gg = cache[c + 2 * H + j], og = cache[c + 3 * H + j], tc = cache[c + 4 * H + j];
        float cprev = sprev[st + H + j];
        float dh = delta[st + j];
        float dc = delta[st + H + j] + dh * og * (1.0f - tc * tc);
        dgi[g + j] = dc * gg * ig * (1.0f - ig);
        dgi[g + H + j] = dc * cprev * fg * (1.0f - fg);
        dgi[g + 2 * H + j] = dc * ig * (1.0f - gg * gg);
        dgi[g + 3 * H + j] = dh * tc * og * (1.0f - og);
        if (eprev) eprev[st + H + j] += dc * fg;
    }
}
