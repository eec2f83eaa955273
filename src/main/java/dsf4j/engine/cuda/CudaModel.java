package dsf4j.engine.cuda;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.model.ParamLayout;

/**
 * The language model of {@code engine.reference.ReferenceModel}, enqueued on a GPU stream: the same
 * blocks, the same order of operations, float32 on the device. Nothing here synchronizes, so a whole
 * step can be captured into one CUDA graph. Shapes follow {@link Workspace}; N = T·B rows.
 *
 * <pre>
 * x = embedding[input]
 * per layer: residual    x = x + rnn(x)              (LSTM: x + proj(rnn(x)))
 *            transformer x = x + proj(rnn(LN1(x))); x = x + fc2(GELU(fc1(LN2(x))))
 * z = transformer ? LN(x) : x;  logits = z·headᵀ (+ head.bias inside the loss kernel)
 * </pre>
 * The recurrence: one GEMM for the input projections of all T steps (gi = x·W_ihᵀ), then per step
 * t one GEMM gh_t = s_{t−1}·W_hhᵀ and one gate kernel. The backward: BPTT runs per step the gate
 * backward and the GEMM e_{t−1} += dgh_t·W_hh; DSF runs one scan kernel and one gate backward over
 * all N rows; FT-BPTT only the latter. Then every weight gradient is one GEMM over N rows.
 */
final class CudaModel {

    private final ModelConfig c;
    private final Gpu gpu;
    private final int h, d, g, layers, vocab;
    private final boolean tf, proj;
    private final Kernel cellForward, cellBackward;

    CudaModel(ModelConfig config, Gpu gpu) {
        this.c = config;
        this.gpu = gpu;
        h = config.hidden();
        d = config.stateSize();
        g = config.cell().gates * h;
        layers = config.layers();
        vocab = config.vocab();
        tf = config.block() == BlockType.TRANSFORMER;
        proj = ParamLayout.hasProjection(config);
        cellForward = switch (config.cell()) {
            case RNN -> Kernel.RNN_FORWARD;
            case GRU -> Kernel.GRU_FORWARD;
            case LSTM -> Kernel.LSTM_FORWARD;
        };
        cellBackward = switch (config.cell()) {
            case RNN -> Kernel.RNN_BACKWARD;
            case GRU -> Kernel.GRU_BACKWARD;
            case LSTM -> Kernel.LSTM_BACKWARD;
        };
    }

    private static String layer(int l) {
        return "layers." + l + ".";
    }

    /** Byte address of row {@code row} of a matrix of {@code width} floats per row. */
    private static long row(long base, long row, int width) {
        return base + 4 * row * width;
    }

    // ---------------------------------------------------------------------------------------------
    // Forward

    /**
     * Enqueues the forward and the loss: ws.sums[0] = Σ cross-entropy over non-pad targets (and
     * ws.sums[1] = 0, for {@link #gradientNorm}); with
     * writeGrad, ws.logits then holds dL/dlogits = (softmax − onehot)·hyper[0].
     *
     * @param carryState false: s_{−1} = 0 (the states' row block 0 is zeroed); true: it holds the
     *                   state the caller put there (the stepper)
     */
    void forward(DeviceParams p, Workspace ws, boolean writeGrad, boolean carryState) {
        int n = ws.n, b = ws.b;
        gpu.launch(Kernel.EMBEDDING_FORWARD, (long) n * h, ws.tokens, p.param("embedding.weight"), ws.x[0], n, h);
        for (int l = 0; l < layers; l++) {
            String pre = layer(l);
            long xin = ws.x[l];
            if (tf) {
                layerNormForward(ws.x[l], p, pre + "norm1", ws.u[l], ws.ln1[l], n);
                xin = ws.u[l];
            }
            long wih = p.param(pre + "rnn.weight_ih"), whh = p.param(pre + "rnn.weight_hh");
            long bih = p.param(pre + "rnn.bias_ih"), bhh = p.param(pre + "rnn.bias_hh");
            gpu.gemm(false, true, n, g, h, xin, h, wih, h, false, ws.gi[l], g);          // gi = x·W_ihᵀ  [N, G·H]
            if (!carryState) gpu.zero(ws.states[l], (long) b * d);
            for (int t = 0; t < ws.steps; t++) {
                long sPrev = row(ws.states[l], (long) t * b, d), s = row(ws.states[l], (long) (t + 1) * b, d);
                long ght = row(ws.gh[l], (long) t * b, g), git = row(ws.gi[l], (long) t * b, g);
                gpu.gemm(false, true, b, g, h, sPrev, d, whh, h, false, ght, g);         // gh_t = h_{t−1}·W_hhᵀ  [B, G·H]
                gpu.launch(cellForward, (long) b * h, git, ght, bih, bhh, sPrev, s, b, h);
            }
            long states = row(ws.states[l], b, d);                                       // s_0 … s_{T−1}  [N, D]
            long out = tf ? ws.after[l] : ws.x[l + 1];
            if (proj) {
                gpu.gemm(false, true, n, h, d, states, d, p.param(pre + "proj.weight"), d, false, ws.tmp, h);
                gpu.launch(Kernel.ADD_RESIDUAL, (long) n * h, out, ws.x[l], ws.tmp, p.param(pre + "proj.bias"), n, h);
            } else {
                gpu.launch(Kernel.ADD_RESIDUAL, (long) n * h, out, ws.x[l], states, 0L, n, h);
            }
            if (tf) {
                layerNormForward(ws.after[l], p, pre + "norm2", ws.mlpIn[l], ws.ln2[l], n);
                linearForward(ws.mlpIn[l], p, pre + "mlp.fc1", ws.hidden[l], n, h, 4 * h);
                gpu.launch(Kernel.GELU_FORWARD, (long) n * 4 * h, ws.hidden[l], ws.act[l], n, 4 * h);
                gpu.gemm(false, true, n, h, 4 * h, ws.act[l], 4 * h, p.param(pre + "mlp.fc2.weight"), 4 * h, false, ws.tmp, h);
                gpu.launch(Kernel.ADD_RESIDUAL, (long) n * h, ws.x[l + 1], ws.after[l], ws.tmp, p.param(pre + "mlp.fc2.bias"), n, h);
            }
        }
        if (tf) layerNormForward(ws.x[layers], p, "norm", ws.z, ws.lnf, n);
        gpu.gemm(false, true, n, vocab, h, ws.z, h, p.param("head.weight"), h, false, ws.logits, vocab);
        gpu.zero(ws.sums, 4);
        gpu.launchGrid(Kernel.CROSS_ENTROPY, n, 1, Gpu.THREADS, 1, ws.logits, p.param("head.bias"), ws.targets, ws.sums, ws.hyper,
                n, vocab, c.padId(), writeGrad ? 1 : 0);
    }

    private void layerNormForward(long x, DeviceParams p, String name, long y, long stats, int n) {
        gpu.launchGrid(Kernel.LAYER_NORM_FORWARD, (n + 7) / 8, 1, 256, 1, x, p.param(name + ".weight"), p.param(name + ".bias"), y, stats, n, h);
    }

    /** y = x·Wᵀ + b, x [N, in], W [out, in]. */
    private void linearForward(long x, DeviceParams p, String name, long y, int n, int in, int out) {
        gpu.gemm(false, true, n, out, in, x, in, p.param(name + ".weight"), in, false, y, out);
        gpu.launch(Kernel.ADD_RESIDUAL, (long) n * out, y, y, 0L, p.param(name + ".bias"), n, out);
    }

    // ---------------------------------------------------------------------------------------------
    // Backward: after forward(writeGrad = true); p.grads is overwritten.

    void backward(DeviceParams p, Workspace ws, Method method) {
        int n = ws.n;
        gpu.zero(p.grads, p.trainableFloats);
        // head: dz = dlogits·W, dW += dlogitsᵀ·z, db += Σ_rows dlogits
        long dz = tf ? ws.tmp2 : ws.dx;
        gpu.gemm(false, false, n, h, vocab, ws.logits, vocab, p.param("head.weight"), h, false, dz, h);
        gpu.gemm(true, false, vocab, h, n, ws.logits, vocab, ws.z, h, true, p.grad("head.weight"), h);
        columnSums(ws.logits, p.grad("head.bias"), n, vocab);
        if (tf) layerNormBackward(ws.x[layers], p, "norm", ws.lnf, dz, ws.dx, ws, n, false);
        for (int l = layers - 1; l >= 0; l--) {
            String pre = layer(l);
            if (tf) mlpBackward(p, ws, l);
            long states = row(ws.states[l], ws.b, d);
            if (proj) {
                gpu.gemm(false, false, n, d, h, ws.dx, h, p.param(pre + "proj.weight"), d, false, ws.e, d);   // e = dx·P  [N, D]
                gpu.gemm(true, false, h, d, n, ws.dx, h, states, d, true, p.grad(pre + "proj.weight"), d);
                columnSums(ws.dx, p.grad(pre + "proj.bias"), n, h);
            } else {
                gpu.copy(ws.e, ws.dx, (long) n * d);
            }
            recurrentBackward(p, ws, l, method);
            long xin = tf ? ws.u[l] : ws.x[l];
            long wih = p.param(pre + "rnn.weight_ih");
            gpu.gemm(true, false, g, h, n, ws.dgi, g, xin, h, true, p.grad(pre + "rnn.weight_ih"), h);
            columnSums(ws.dgi, p.grad(pre + "rnn.bias_ih"), n, g);
            gpu.gemm(true, false, g, h, n, ws.dgh, g, ws.states[l], d, true, p.grad(pre + "rnn.weight_hh"), h);  // h_{t−1}: rows 0 … N−1
            columnSums(ws.dgh, p.grad(pre + "rnn.bias_hh"), n, g);
            if (tf) {
                gpu.gemm(false, false, n, h, g, ws.dgi, g, wih, h, false, ws.tmp2, h);        // dL/dLN1(x)
                layerNormBackward(ws.x[l], p, pre + "norm1", ws.ln1[l], ws.tmp2, ws.dx, ws, n, true);
            } else {
                gpu.gemm(false, false, n, h, g, ws.dgi, g, wih, h, true, ws.dx, h);           // dx += dgi·W_ih
            }
        }
        gpu.launch(Kernel.EMBEDDING_BACKWARD, (long) n * h, ws.tokens, ws.dx, p.grad("embedding.weight"), n, h);
    }

    /** dx (dL/dx[l+1]) += the MLP branch's gradient through LN2; leaves dx = dL/d(after[l]). */
    private void mlpBackward(DeviceParams p, Workspace ws, int l) {
        int n = ws.n, h4 = 4 * h;
        String pre = layer(l) + "mlp.";
        gpu.gemm(false, false, n, h4, h, ws.dx, h, p.param(pre + "fc2.weight"), h4, false, ws.d4, h4);   // dAct = dx·fc2  [N, 4H]
        gpu.gemm(true, false, h, h4, n, ws.dx, h, ws.act[l], h4, true, p.grad(pre + "fc2.weight"), h4);
        columnSums(ws.dx, p.grad(pre + "fc2.bias"), n, h);
        gpu.launch(Kernel.GELU_BACKWARD, (long) n * h4, ws.hidden[l], ws.d4, n, h4);
        gpu.gemm(false, false, n, h, h4, ws.d4, h4, p.param(pre + "fc1.weight"), h, false, ws.tmp2, h); // dMlpIn  [N, H]
        gpu.gemm(true, false, h4, h, n, ws.d4, h4, ws.mlpIn[l], h, true, p.grad(pre + "fc1.weight"), h);
        columnSums(ws.d4, p.grad(pre + "fc1.bias"), n, h4);
        layerNormBackward(ws.after[l], p, layer(l) + "norm2", ws.ln2[l], ws.tmp2, ws.dx, ws, n, true);
    }

    /** ws.e (e_t) → δ_t by the method, then dgi, dgh for all rows. */
    private void recurrentBackward(DeviceParams p, Workspace ws, int l, Method method) {
        int n = ws.n, b = ws.b;
        String pre = layer(l) + "rnn.";
        long bih = p.param(pre + "bias_ih"), bhh = p.param(pre + "bias_hh"), whh = p.param(pre + "weight_hh");
        switch (method) {
            case BPTT -> {
                for (int t = ws.steps - 1; t >= 0; t--) {
                    long r = (long) t * b;
                    long ePrev = t > 0 ? row(ws.e, r - b, d) : 0L;
                    gpu.launch(cellBackward, (long) b * h, row(ws.gi[l], r, g), row(ws.gh[l], r, g), bih, bhh,
                            row(ws.states[l], r, d), row(ws.e, r, d), row(ws.dgi, r, g), row(ws.dgh, r, g), ePrev, b, h);
                    if (t > 0) gpu.gemm(false, false, b, h, g, row(ws.dgh, r, g), g, whh, h, true, ePrev, d);  // e_{t−1}[:, :H] += dgh_t·W_hh
                }
            }
            case DSF, FTBPTT -> {
                if (method == Method.DSF) {
                    gpu.launch(Kernel.DSF_SCAN, (long) b * d, ws.e, p.param(pre + "lambda"), ws.steps, b, d);
                }
                gpu.launch(cellBackward, (long) n * h, ws.gi[l], ws.gh[l], bih, bhh, ws.states[l], ws.e, ws.dgi, ws.dgh, 0L, n, h);
            }
        }
    }

    /**
     * dx (= or += by accumulate) LayerNorm's input gradient for dy; dγ, dβ += column sums of
     * dy⊙x̂ and dy. Uses ws.tmp for dy⊙x̂, so dy must not be ws.tmp.
     */
    private void layerNormBackward(long x, DeviceParams p, String name, long stats, long dy, long dx, Workspace ws, int n, boolean accumulate) {
        gpu.launchGrid(Kernel.LAYER_NORM_BACKWARD, (n + 7) / 8, 1, 256, 1, x, p.param(name + ".weight"), stats, dy, dx, ws.tmp, n, h, accumulate ? 1 : 0);
        columnSums(ws.tmp, p.grad(name + ".weight"), n, h);
        columnSums(dy, p.grad(name + ".bias"), n, h);
    }

    private void columnSums(long m, long out, int rows, int cols) {
        int rowsPerBlock = 512;
        gpu.launchGrid(Kernel.COLUMN_SUMS, (cols + 31) / 32, (rows + rowsPerBlock - 1) / rowsPerBlock, 32, 8, m, out, rows, cols, rowsPerBlock);
    }

    /** ws.sums[1] += ‖g‖², over every trainable gradient (after {@link #backward}). */
    void gradientNorm(DeviceParams p, Workspace ws) {
        gpu.launch(Kernel.SUM_SQUARES, p.trainableFloats, p.grads, ws.sums, Math.toIntExact(p.trainableFloats));   // blocks of Gpu.THREADS = 256 = CE_THREADS
    }

    /**
     * Clipping and the Adam or AdamW update over every trainable float (hyper-parameters in ws.hyper,
     * after {@link #gradientNorm}); nothing changes when the loss or the norm is not finite.
     */
    void adam(DeviceParams p, Workspace ws) {
        gpu.launch(Kernel.ADAM, p.trainableFloats, p.params, p.grads, p.m, p.v, ws.hyper, ws.sums, Math.toIntExact(p.trainableFloats));
    }

    CellType cell() {
        return c.cell();
    }
}
