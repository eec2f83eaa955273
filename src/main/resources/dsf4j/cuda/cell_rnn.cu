// RNN (tanh), one thread per (row, unit), under the float32 contract written once in dsf4j.config.CellType
// (the fast engine's engine/fast/RnnKernel is the same cell): gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh
// come in with their biases, [rows, H] each.
//   h = tanh(gi + gh); no cache (the backward reads h = s_t); dgh is dgi; direct part 0.
// Backward (local, s_prev held fixed): from delta = dL/ds it writes dgi = dL/dgi; eprev gets nothing (all of
// delta * J goes through W_hh, the GEMM dgh W_hh the host adds next).

extern "C" __global__ void rnn_forward(const float* gi, const float* gh, const float* sprev, float* s, float* cache,
                                       int rows, int H) {
    FOR_EACH(i, (idx_t)rows * H) s[i] = tanhf(gi[i] + gh[i]);
}

extern "C" __global__ void rnn_backward(const float* delta, const float* s, const float* sprev, const float* cache,
                                        float* dgi, float* dgh, float* eprev, int rows, int H) {
    FOR_EACH(i, (idx_t)rows * H) {
        float h = s[i];
        dgi[i] = delta[i] * (1.0f - h * h);
    }
}
