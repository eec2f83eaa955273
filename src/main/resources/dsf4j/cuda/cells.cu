// Recurrent cells, PyTorch's equations and gate order, one thread per (row, unit).
//   gi = x W_ih^T  [rows, G*H]  (no bias: the kernels add b_ih)
//   gh = h W_hh^T  [rows, G*H]  (no bias: the kernels add b_hh)
// Forward: s = f(s_prev, x). Backward (local, s_prev held fixed): from delta = dL/ds it writes
//   dgi = dL/d(gi + b_ih), dgh = dL/d(gh + b_hh)   (the same array for RNN and LSTM, whose two
//   pre-activations are summed), and, when eprev is not null, adds the direct part of
//   delta * ds/ds_prev (GRU: delta*z; LSTM: dc*f into the c half) to eprev; the part through W_hh is
//   the GEMM dgh W_hh that the host adds next. BPTT runs these per step with eprev = row block t-1;
//   DSF and FT-BPTT run them once over all T*B rows with eprev = null.

// RNN (tanh): h = tanh(gi + b_ih + gh + b_hh); state s = h, width H. (sprev enters through gh only;
// it is an argument so that the three cells share one signature.)
extern "C" __global__ void rnn_forward(const float* gi, const float* gh, const float* bih, const float* bhh,
                                       const float* sprev, float* s, int rows, int H) {
    FOR_EACH(i, (idx_t)rows * H) {
        int j = (int)(i % H);
        s[i] = tanhf(gi[i] + bih[j] + gh[i] + bhh[j]);
    }
}

extern "C" __global__ void rnn_backward(const float* gi, const float* gh, const float* bih, const float* bhh,
                                        const float* sprev, const float* delta, float* dgi, float* dgh,
                                        float* eprev, int rows, int H) {
    FOR_EACH(i, (idx_t)rows * H) {
        int j = (int)(i % H);
        float h = tanhf(gi[i] + bih[j] + gh[i] + bhh[j]);
        float d = delta[i] * (1.0f - h * h);
        dgi[i] = d;
        dgh[i] = d;
    }
}

// GRU, gates r, z, n (column blocks [0,H), [H,2H), [2H,3H)); r multiplies (W_hn h + b_hn):
//   r = sig(gi_r + b_ir + gh_r + b_hr), z = sig(gi_z + b_iz + gh_z + b_hz),
//   n = tanh(gi_n + b_in + r * (gh_n + b_hn)), h' = (1 - z) n + z h.
extern "C" __global__ void gru_forward(const float* gi, const float* gh, const float* bih, const float* bhh,
                                       const float* sprev, float* s, int rows, int H) {
    FOR_EACH(i, (idx_t)rows * H) {
        idx_t row = i / H;
        int j = (int)(i % H);
        idx_t g = row * 3 * H;
        float r = sigmoidf_(gi[g + j] + bih[j] + gh[g + j] + bhh[j]);
        float z = sigmoidf_(gi[g + H + j] + bih[H + j] + gh[g + H + j] + bhh[H + j]);
        float n = tanhf(gi[g + 2 * H + j] + bih[2 * H + j] + r * (gh[g + 2 * H + j] + bhh[2 * H + j]));
        s[i] = (1.0f - z) * n + z * sprev[i];
    }
}

extern "C" __global__ void gru_backward(const float* gi, const float* gh, const float* bih, const float* bhh,
                                        const float* sprev, const float* delta, float* dgi, float* dgh,
                                        float* eprev, int rows, int H) {
    FOR_EACH(i, (idx_t)rows * H) {
        idx_t row = i / H;
        int j = (int)(i % H);
        idx_t g = row * 3 * H;
        float r = sigmoidf_(gi[g + j] + bih[j] + gh[g + j] + bhh[j]);
        float z = sigmoidf_(gi[g + H + j] + bih[H + j] + gh[g + H + j] + bhh[H + j]);
        float ghn = gh[g + 2 * H + j] + bhh[2 * H + j];
        float n = tanhf(gi[g + 2 * H + j] + bih[2 * H + j] + r * ghn);
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

// LSTM, gates i, f, g, o (column blocks of H); state s = concat(h, c), width 2H:
//   c' = f c + i g, h' = o tanh(c'); the gates read the h half of s_prev.
// The four activated gates of unit j of one row (its gate blocks start at g).
__device__ __forceinline__ void lstm_gates(const float* gi, const float* gh, const float* bih, const float* bhh,
                                           idx_t g, int j, int H, float* ig, float* fg, float* gg, float* og) {
    *ig = sigmoidf_(gi[g + j] + gh[g + j] + bih[j] + bhh[j]);
    *fg = sigmoidf_(gi[g + H + j] + gh[g + H + j] + bih[H + j] + bhh[H + j]);
    *gg = tanhf(gi[g + 2 * H + j] + gh[g + 2 * H + j] + bih[2 * H + j] + bhh[2 * H + j]);
    *og = sigmoidf_(gi[g + 3 * H + j] + gh[g + 3 * H + j] + bih[3 * H + j] + bhh[3 * H + j]);
}

extern "C" __global__ void lstm_forward(const float* gi, const float* gh, const float* bih, const float* bhh,
                                        const float* sprev, float* s, int rows, int H) {
    FOR_EACH(idx, (idx_t)rows * H) {
        idx_t row = idx / H;
        int j = (int)(idx % H);
        idx_t g = row * 4 * H, st = row * 2 * H;
        float ig, fg, gg, og;
        lstm_gates(gi, gh, bih, bhh, g, j, H, &ig, &fg, &gg, &og);
        float c = fg * sprev[st + H + j] + ig * gg;
        s[st + j] = og * tanhf(c);
        s[st + H + j] = c;
    }
}

extern "C" __global__ void lstm_backward(const float* gi, const float* gh, const float* bih, const float* bhh,
                                         const float* sprev, const float* delta, float* dgi, float* dgh,
                                         float* eprev, int rows, int H) {
    FOR_EACH(idx, (idx_t)rows * H) {
        idx_t row = idx / H;
        int j = (int)(idx % H);
        idx_t g = row * 4 * H, st = row * 2 * H;
        float ig, fg, gg, og;
        lstm_gates(gi, gh, bih, bhh, g, j, H, &ig, &fg, &gg, &og);
        float cprev = sprev[st + H + j];
        float tc = tanhf(fg * cprev + ig * gg);
        float dh = delta[st + j];
        float dc = delta[st + H + j] + dh * og * (1.0f - tc * tc);
        float di = dc * gg * ig * (1.0f - ig);
        float df = dc * cprev * fg * (1.0f - fg);
        float dg = dc * ig * (1.0f - gg * gg);
        float d_o = dh * tc * og * (1.0f - og);
        dgi[g + j] = di; dgi[g + H + j] = df; dgi[g + 2 * H + j] = dg; dgi[g + 3 * H + j] = d_o;
        dgh[g + j] = di; dgh[g + H + j] = df; dgh[g + 2 * H + j] = dg; dgh[g + 3 * H + j] = d_o;
        if (eprev) eprev[st + H + j] += dc * fg;
    }
}
