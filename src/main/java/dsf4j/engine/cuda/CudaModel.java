package dsf4j.engine.cuda;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.grad.GradientMethod;
import dsf4j.grad.RecurrentBackward;
import dsf4j.model.ParamLayout;
import dsf4j.model.ParamNames;

/**
 * The language model of {@code engine.reference.ReferenceModel}, enqueued on a GPU stream: the same
 * blocks, the same order of operations, float32 on the device. Nothing here synchronizes, so a whole
 * step can be captured into one CUDA graph. Shapes follow {@link Workspace}; N = T·B rows.
 *
 * <pre>
 * x = embedding[input]
 * per layer: residual    x = x + rnn(x)              (D ≠ H, the LSTM: x + proj(rnn(x)))
 *            transformer x = x + proj(rnn(LN1(x))); x = x + fc2(GELU(fc1(LN2(x))))
 * z = transformer ? LN(x) : x;  logits = z·headᵀ (+ head.bias inside the loss kernel)
 * </pre>
 * The recurrence, under the float32 cell contract of {@link CellType}: one GEMM and one bias add for the
 * input pre-activations of all T steps (gi = x·W_ihᵀ + b_ih); gh is filled with b_hh once, then per step
 * t one GEMM adds s_{t−1}·W_hhᵀ (none for a cell without hidden gates) and the cell's forward kernel
 * writes s_t and its cache. The backward: the {@link GradientMethod} asks the layer ({@link RecurrentBackward})
 * for exact steps (per step the cell's backward kernel and the GEMM e_{t−1} += dgh_t·W_hh), a diagonal
 * solve (one scan kernel) or local steps (one backward kernel over all their rows). Then every weight
 * gradient is one GEMM over N rows.
 */
final class CudaModel {

    private final ModelConfig c;
    private final Gpu gpu;
    private final int h, d, g, gw, cw, layers, vocab;   // gw = R·H (hidden gates), cw the cache width
    private final boolean tf, proj;
    private final Kernel cellForward, cellBackward;
    private final ParamNames.Layer[] names;

    CudaModel(ModelConfig config, Gpu gpu) {
        this.c = config;
        this.gpu = gpu;
        h = config.hidden();
        d = config.stateSize();
        g = config.cell().gates * h;
        gw = config.cell().hiddenGates * h;
        cw = config.cell().cacheBlocks * h;
        layers = config.layers();
        vocab = config.vocab();
        tf = config.block() == BlockType.TRANSFORMER;
        proj = ParamLayout.hasProjection(config);
        cellForward = Kernel.forward(config.cell());
        cellBackward = Kernel.backward(config.cell());
        names = ParamNames.layers(layers);
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
     * writeGrad, ws.logits then holds dL/dlogits = (softmax − onehot)/count (Hyper.INV_COUNT).
     *
     * @param carryState false: s_{−1} = 0 (the states' row block 0 is zeroed); true: it holds the
     *                   state the caller put there (the stepper)
     */
    void forward(DeviceParams p, Workspace ws, boolean writeGrad, boolean carryState) {
        int n = ws.n, b = ws.b;
        gpu.launch(Kernel.EMBEDDING_FORWARD, (long) n * h, ws.tokens, p.param(ParamNames.EMBEDDING), ws.x[0], n, h);
        for (int l = 0; l < layers; l++) {
            ParamNames.Layer nm = names[l];
            long xin = ws.x[l];
            if (tf) {
                layerNormForward(ws.x[l], p, nm.norm1Weight(), nm.norm1Bias(), ws.u[l], ws.ln1[l], n);
                xin = ws.u[l];
            }
            gpu.gemm(false, true, n, g, h, xin, h, p.param(nm.weightIh()), h, false, ws.gi, g);   // gi = x·W_ihᵀ  [N, G·H]
            gpu.launch(Kernel.ADD_RESIDUAL, (long) n * g, ws.gi, ws.gi, 0L, p.param(nm.biasIh()), n, g);  //  + b_ih
            long whh = gw > 0 ? p.param(nm.weightHh()) : 0L;
            if (gw > 0) gpu.launch(Kernel.ADD_RESIDUAL, (long) n * gw, ws.gh, 0L, 0L, p.param(nm.biasHh()), n, gw);   // gh = b_hh
            if (!carryState) gpu.zero(ws.states[l], (long) b * d);
            for (int t = 0; t < ws.steps; t++) {
                long sPrev = row(ws.states[l], (long) t * b, d), s = row(ws.states[l], (long) (t + 1) * b, d);
                long ght = row(ws.gh, (long) t * b, gw), git = row(ws.gi, (long) t * b, g);
                if (gw > 0) gpu.gemm(false, true, b, gw, h, sPrev, d, whh, h, true, ght, gw);   // gh_t += h_{t−1}·W_hhᵀ  [B, R·H]
                gpu.launch(cellForward, (long) b * h, git, ght, sPrev, s, row(ws.cache[l], (long) t * b, cw), b, h);
            }
            long states = row(ws.states[l], b, d);                                       // s_0 … s_{T−1}  [N, D]
            long out = tf ? ws.after[l] : ws.x[l + 1];
            if (proj) {
                gpu.gemm(false, true, n, h, d, states, d, p.param(nm.projWeight()), d, false, ws.tmp, h);
                gpu.launch(Kernel.ADD_RESIDUAL, (long) n * h, out, ws.x[l], ws.tmp, p.param(nm.projBias()), n, h);
            } else {
                gpu.launch(Kernel.ADD_RESIDUAL, (long) n * h, out, ws.x[l], states, 0L, n, h);
            }
            if (tf) {
                layerNormForward(ws.after[l], p, nm.norm2Weight(), nm.norm2Bias(), ws.mlpIn[l], ws.ln2[l], n);
                linearForward(ws.mlpIn[l], p, nm.fc1Weight(), nm.fc1Bias(), ws.hidden[l], n, h, 4 * h);
                gpu.launch(Kernel.GELU_FORWARD, (long) n * 4 * h, ws.hidden[l], ws.act[l], n, 4 * h);
                gpu.gemm(false, true, n, h, 4 * h, ws.act[l], 4 * h, p.param(nm.fc2Weight()), 4 * h, false, ws.tmp, h);
                gpu.launch(Kernel.ADD_RESIDUAL, (long) n * h, ws.x[l + 1], ws.after[l], ws.tmp, p.param(nm.fc2Bias()), n, h);
            }
        }
        if (tf) layerNormForward(ws.x[layers], p, ParamNames.NORM_WEIGHT, ParamNames.NORM_BIAS, ws.z, ws.lnf, n);
        gpu.gemm(false, true, n, vocab, h, ws.z, h, p.param(ParamNames.HEAD_WEIGHT), h, false, ws.logits, vocab);
        gpu.zero(ws.sums, 4);
        gpu.launchGrid(Kernel.CROSS_ENTROPY, n, 1, Gpu.THREADS, 1, ws.logits, p.param(ParamNames.HEAD_BIAS), ws.targets, ws.sums, ws.hyper,
                n, vocab, c.padId(), writeGrad ? 1 : 0);
    }

    private void layerNormForward(long x, DeviceParams p, String weight, String bias, long y, long stats, int n) {
        gpu.launchGrid(Kernel.LAYER_NORM_FORWARD, (n + 7) / 8, 1, 256, 1, x, p.param(weight), p.param(bias), y, stats, n, h);
    }

    /** y = x·Wᵀ + b, x [N, in], W [out, in]. */
    private void linearForward(long x, DeviceParams p, String weight, String bias, long y, int n, int in, int out) {
        gpu.gemm(false, true, n, out, in, x, in, p.param(weight), in, false, y, out);
        gpu.launch(Kernel.ADD_RESIDUAL, (long) n * out, y, y, 0L, p.param(bias), n, out);
    }

    // ---------------------------------------------------------------------------------------------
    // Backward: after forward(writeGrad = true); p.grads is overwritten.

    void backward(DeviceParams p, Workspace ws, Method method) {
        int n = ws.n;
        GradientMethod gradientMethod = GradientMethod.of(method);
        gpu.zero(p.grads, p.trainableFloats);
        // head: dz = dlogits·W, dW += dlogitsᵀ·z, db += Σ_rows dlogits
        long dz = tf ? ws.tmp2 : ws.dx;
        gpu.gemm(false, false, n, h, vocab, ws.logits, vocab, p.param(ParamNames.HEAD_WEIGHT), h, false, dz, h);
        gpu.gemm(true, false, vocab, h, n, ws.logits, vocab, ws.z, h, true, p.grad(ParamNames.HEAD_WEIGHT), h);
        columnSums(ws.logits, p.grad(ParamNames.HEAD_BIAS), n, vocab);
        if (tf) layerNormBackward(ws.x[layers], p, ParamNames.NORM_WEIGHT, ParamNames.NORM_BIAS, ws.lnf, dz, ws.dx, ws, n, false);
        for (int l = layers - 1; l >= 0; l--) {
            ParamNames.Layer nm = names[l];
            if (tf) mlpBackward(p, ws, l);
            long states = row(ws.states[l], ws.b, d);
            if (proj) {
                gpu.gemm(false, false, n, d, h, ws.dx, h, p.param(nm.projWeight()), d, false, ws.e, d);   // e = dx·P  [N, D]
                gpu.gemm(true, false, h, d, n, ws.dx, h, states, d, true, p.grad(nm.projWeight()), d);
                columnSums(ws.dx, p.grad(nm.projBias()), n, h);
            } else {
                gpu.copy(ws.e, ws.dx, (long) n * d);
            }
            gradientMethod.backward(new Layer(p, ws, l));                                         // e_t → δ_t, dgi, dgh
            long xin = tf ? ws.u[l] : ws.x[l];
            long wih = p.param(nm.weightIh());
            gpu.gemm(true, false, g, h, n, ws.dgi, g, xin, h, true, p.grad(nm.weightIh()), h);
            columnSums(ws.dgi, p.grad(nm.biasIh()), n, g, g);
            if (gw > 0) {
                gpu.gemm(true, false, gw, h, n, ws.dgh, g, ws.states[l], d, true, p.grad(nm.weightHh()), h);  // h_{t−1}: rows 0 … N−1
                columnSums(ws.dgh, p.grad(nm.biasHh()), n, gw, g);
            }
            if (tf) {
                gpu.gemm(false, false, n, h, g, ws.dgi, g, wih, h, false, ws.tmp2, h);        // dL/dLN1(x)
                layerNormBackward(ws.x[l], p, nm.norm1Weight(), nm.norm1Bias(), ws.ln1[l], ws.tmp2, ws.dx, ws, n, true);
            } else {
                gpu.gemm(false, false, n, h, g, ws.dgi, g, wih, h, true, ws.dx, h);           // dx += dgi·W_ih
            }
        }
        gpu.launch(Kernel.EMBEDDING_BACKWARD, (long) n * h, ws.tokens, ws.dx, p.grad(ParamNames.EMBEDDING), n, h);
    }

    /** dx (dL/dx[l+1]) += the MLP branch's gradient through LN2; leaves dx = dL/d(after[l]). */
    private void mlpBackward(DeviceParams p, Workspace ws, int l) {
        int n = ws.n, h4 = 4 * h;
        ParamNames.Layer nm = names[l];
        gpu.gemm(false, false, n, h4, h, ws.dx, h, p.param(nm.fc2Weight()), h4, false, ws.d4, h4);   // dAct = dx·fc2  [N, 4H]
        gpu.gemm(true, false, h, h4, n, ws.dx, h, ws.act[l], h4, true, p.grad(nm.fc2Weight()), h4);
        columnSums(ws.dx, p.grad(nm.fc2Bias()), n, h);
        gpu.launch(Kernel.GELU_BACKWARD, (long) n * h4, ws.hidden[l], ws.d4, n, h4);
        gpu.gemm(false, false, n, h, h4, ws.d4, h4, p.param(nm.fc1Weight()), h, false, ws.tmp2, h); // dMlpIn  [N, H]
        gpu.gemm(true, false, h4, h, n, ws.d4, h4, ws.mlpIn[l], h, true, p.grad(nm.fc1Weight()), h);
        columnSums(ws.d4, p.grad(nm.fc1Bias()), n, h4);
        layerNormBackward(ws.after[l], p, nm.norm2Weight(), nm.norm2Bias(), ws.ln2[l], ws.tmp2, ws.dx, ws, n, true);
    }

    /**
     * Layer l's backward as a gradient method asks for it: ws.e holds e_t, turned into δ_t in place, and
     * every step's dgi, dgh rows are written. Row block t of ws.states is s_{t−1}, block t+1 is s_t.
     */
    private final class Layer implements RecurrentBackward {
        private final DeviceParams p;
        private final Workspace ws;
        private final int l;

        Layer(DeviceParams p, Workspace ws, int l) {
            this.p = p;
            this.ws = ws;
            this.l = l;
        }

        @Override
        public int steps() {
            return ws.steps;
        }

        /** The scan kernel: the cuda engine solves eq. 13 one way (CudaEngine refuses the other solvers). */
        @Override
        public void solveDiagonal() {
            gpu.launch(Kernel.DSF_SCAN, (long) ws.b * d, ws.e, p.param(names[l].lambda()), ws.steps, ws.b, d);
        }

        @Override
        public void localSteps(int from, int to) {
            int rows = (to - from) * ws.b;
            if (rows > 0) backwardKernel((long) from * ws.b, rows, 0L);
        }

        @Override
        public void exactSteps(int from, int to) {
            int b = ws.b;
            long whh = gw > 0 ? p.param(names[l].weightHh()) : 0L;
            for (int t = to - 1; t >= from; t--) {
                long r = (long) t * b;
                long ePrev = t > from ? row(ws.e, r - b, d) : 0L;                   // e_{t−1} += δ_t·J_t (its direct part here)
                backwardKernel(r, b, ePrev);
                if (t > from && gw > 0) gpu.gemm(false, false, b, h, gw, row(ws.dgh, r, g), g, whh, h, true, ePrev, d);  // e_{t−1}[:, :H] += dgh_t·W_hh
            }
        }

        /** The cell's backward kernel on rows [r, r + rows). */
        private void backwardKernel(long r, int rows, long ePrev) {
            gpu.launch(cellBackward, (long) rows * h, row(ws.e, r, d), row(ws.states[l], r + ws.b, d), row(ws.states[l], r, d),
                    row(ws.cache[l], r, cw), row(ws.dgi, r, g), row(ws.dgh, r, g), ePrev, rows, h);
        }
    }

    /**
     * dx (= or += by accumulate) LayerNorm's input gradient for dy; dγ, dβ += column sums of
     * dy⊙x̂ and dy. Uses ws.tmp for dy⊙x̂, so dy must not be ws.tmp.
     */
    private void layerNormBackward(long x, DeviceParams p, String weight, String bias, long stats, long dy, long dx, Workspace ws, int n, boolean accumulate) {
        gpu.launchGrid(Kernel.LAYER_NORM_BACKWARD, (n + 7) / 8, 1, 256, 1, x, p.param(weight), stats, dy, dx, ws.tmp, n, h, accumulate ? 1 : 0);
        columnSums(ws.tmp, p.grad(weight), n, h);
        columnSums(dy, p.grad(bias), n, h);
    }

    /** out[c] += Σ_r m[r, c], m [rows, cols]. */
    private void columnSums(long m, long out, int rows, int cols) {
        columnSums(m, out, rows, cols, cols);
    }

    /** out[c] += Σ_r m[r, c] over the first cols columns of m [rows, ld]. */
    private void columnSums(long m, long out, int rows, int cols, int ld) {
        int rowsPerBlock = 512;
        gpu.launchGrid(Kernel.COLUMN_SUMS, (cols + 31) / 32, (rows + rowsPerBlock - 1) / rowsPerBlock, 32, 8, m, out, rows, cols, ld, rowsPerBlock);
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
