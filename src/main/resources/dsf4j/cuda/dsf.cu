// DSF's backward recurrence (eq. 13), in place: delta_t = e_t + lambda (.) delta_{t+1},
// delta_{T-1} = e_{T-1}. e is time-major [T, B*D]; channel c = b*D + i uses lambda[i]. One thread
// per channel walks t from T-2 down to 0: adjacent threads touch adjacent floats of each row, so
// every step is one coalesced read and write of the row.
// window > 1 (a hybrid method): delta is kept only at the last step of each window of that many steps
// (t % window == window - 1, and T - 1); the other steps keep e_t for the exact steps inside the window.
extern "C" __global__ void dsf_scan(float* e, const float* lambda, int T, int B, int D, int window) {
    idx_t channels = (idx_t)B * D;
    FOR_EACH(c, channels) {
        float l = lambda[c % D];
        float acc = e[(idx_t)(T - 1) * channels + c];
        for (int t = T - 2; t >= 0; t--) {
            idx_t k = (idx_t)t * channels + c;
            acc = e[k] + l * acc;
            if (t % window == window - 1) e[k] = acc;
        }
    }
}
