package dsf4j.engine.fast;

import dsf4j.config.BlockType;
import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engine;
import dsf4j.engine.MemoryEstimate;
import dsf4j.model.Batch;
import dsf4j.grad.GradientMethod;
import dsf4j.model.ParamLayout;
import dsf4j.model.ParamNames;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

/**
 * The float32 Vector API engine: the model of {@link ParamLayout} (embedding → L residual or
 * transformer blocks → [final LN] → head), time-major activations (row t·B + b), every dense product
 * on {@link Gemm}, every buffer in a {@link Workspace} sized once per (B, T): after the first call with
 * a given shape, a training step allocates nothing.
 *
 * <pre>
 * x = embedding[input]                                   [N, H]
 * residual:     x = x + rnn(x)            (LSTM: x + proj(rnn(x)), proj: 2H → H)
 * transformer:  x = x + proj(rnn(LN1(x)));  x = x + fc2(GELU(fc1(LN2(x))))
 * z = transformer ? LN(x) : x;   L = mean CE(z·headᵀ + b) over non-pad targets
 * </pre>
 * Not thread-safe: one call at a time.
 */
public final class FastEngine implements Engine {

    private final ModelConfig config;
    private final DsfSolver solver;
    private final Parallel parallel;
    private final Gemm gemm;
    private final ColumnSums columnSums;
    private final LayerNormKernel norm;
    private final GeluKernel gelu;
    private final RowKernels rows;
    private final CellKernel cell;
    private final boolean tf, proj, hiddenGates;
    private final int h, d, layers;
    private final ParamNames.Layer[] names;
    private Workspace ws;
    private long recurrentNanos, deltaNanos;
    private final long[] phaseNanos = new long[Phase.values().length];

    /** Where the time of {@link #lossAndGradient} goes (for the bench command's breakdown). */
    public enum Phase {
        /** embedding and every block forward (final LN included) */
        FORWARD,
        /** head GEMMs and softmax cross-entropy, forward and backward */
        HEAD,
        /** the recurrent layers' backward before the weight GEMMs: DSF solver + gate gradients, or the BPTT loop */
        RECURRENT_DELTA,
        /** the recurrent layers' dW_ih, dW_hh, dx GEMMs and bias sums (the same work for every method) */
        RECURRENT_GEMMS,
        /** the rest of the backward: LayerNorms, MLP, projections, embedding scatter */
        OTHER_BACKWARD
    }

    /** Nanoseconds spent in each phase since the last {@link #resetPhases}, indexed by ordinal. */
    public long[] phaseNanos() {
        return phaseNanos.clone();
    }

    public void resetPhases() {
        java.util.Arrays.fill(phaseNanos, 0);
    }

    /**
     * @param threads workers for the GEMMs and the head (≥ 1); results do not depend on it
     */
    public FastEngine(ModelConfig config, DsfSolver solver, int threads) {
        this.config = config;
        this.solver = solver;
        this.parallel = new Parallel(threads);
        this.gemm = new Gemm(parallel);
        this.columnSums = new ColumnSums(parallel);
        this.norm = new LayerNormKernel(parallel, columnSums);
        this.gelu = new GeluKernel(parallel);
        this.rows = new RowKernels(parallel);
        this.cell = CellKernel.of(config.cell(), config.hidden());
        this.tf = config.block() == BlockType.TRANSFORMER;
        this.proj = ParamLayout.hasProjection(config);
        this.hiddenGates = config.cell().hasHiddenWeights();
        this.h = config.hidden();
        this.d = config.stateSize();
        this.layers = config.layers();
        this.names = ParamNames.layers(layers);
    }

    @Override
    public String name() {
        return "fast";
    }

    public int threads() {
        return parallel.threads();
    }

    /** The GEMM this engine runs on (for benchmarks that measure its ceiling in the same run). */
    public Gemm gemm() {
        return gemm;
    }

    @Override
    public void close() {
        parallel.close();
    }

    /** Every buffer for one (B, T). */
    private final class Workspace {
        final int batch, steps, n;
        final int[] inputs, targets;           // [N] time-major ids
        final float[][] blockIn;               // x entering block l (l = L: the top), [N, H] each
        final float[][] rnnIn, ln1Stats;       // transformer: LN1(x) [N, H], its (μ, r) [N, 2]
        final float[][] afterRnn, mlpIn, ln2Stats, mlpHidden;   // transformer: [N,H], [N,H], [N,2], [N,4H]
        // GELU(mlpHidden[l]), [N,4H], one for all layers: the backward recomputes it (one elementwise
        // pass per layer) rather than keep L of them (0.8 GB at B·T = 32,640, H = 512, 3 layers).
        final float[] mlpAct;
        final float[] z, normStats;            // the head's input [N, H] (= top unless transformer), final LN stats
        final FastRecurrentLayer[] rnn;
        final CrossEntropyHead head;
        final float[] dx, dTmp, dAct;          // [N,H], [N,H] (dz of the head's LN, the MLP's dIn, then the RNN's dx), [N,4H]

        Workspace(int batch, int steps) {
            this.batch = batch;
            this.steps = steps;
            this.n = batch * steps;
            inputs = new int[n];
            targets = new int[n];
            blockIn = new float[layers + 1][n * h];
            rnnIn = new float[layers][];
            ln1Stats = new float[layers][];
            afterRnn = new float[layers][];
            mlpIn = new float[layers][];
            ln2Stats = new float[layers][];
            mlpHidden = new float[layers][];
            rnn = new FastRecurrentLayer[layers];
            FastRecurrentLayer.Scratch scratch = new FastRecurrentLayer.Scratch(cell, batch, steps);
            for (int l = 0; l < layers; l++) {
                rnn[l] = new FastRecurrentLayer(cell, gemm, columnSums, rows, solver, batch, steps, scratch);
                if (tf) {
                    rnnIn[l] = new float[n * h];
                    ln1Stats[l] = new float[2 * n];
                    afterRnn[l] = new float[n * h];
                    mlpIn[l] = new float[n * h];
                    ln2Stats[l] = new float[2 * n];
                    mlpHidden[l] = new float[n * 4 * h];
                }
            }
            z = tf ? new float[n * h] : blockIn[layers];
            normStats = tf ? new float[2 * n] : null;
            head = new CrossEntropyHead(gemm, columnSums, n, h, config.vocab(), config.padId());
            dx = new float[n * h];
            dTmp = new float[n * h];
            mlpAct = tf ? new float[n * 4 * h] : null;
            dAct = tf ? new float[n * 4 * h] : null;
        }
    }

    /**
     * The heap a training run on this engine needs ({@link dsf4j.engine.Engines#memoryEstimate} finds
     * it by name): the trainer's share plus the {@link Workspace} of one (batch, seq), counted array by
     * array as the constructor allocates it, the DSF solver taken at its largest (FFT), the GEMM's and
     * the kernels' per-worker scratch at all cores (and the GEMM's one partial C). The head's logits are one chunk, never [N, V].
     */
    public static MemoryEstimate memoryEstimate(ModelConfig c, int batch, int seq) {
        long n = (long) batch * seq, h = c.hidden(), d = c.stateSize(), g = (long) c.cell().gates * h, layers = c.layers();
        long gw = (long) c.cell().hiddenGates * h, cw = (long) c.cell().cacheBlocks * h;
        boolean tf = c.block() == BlockType.TRANSFORMER;
        long fft = Integer.highestOneBit(Math.max(1, 2 * seq - 1)) << 1;
        long perLayer = n * d + batch * gw + n * cw + 3L * batch * d + fft * d + fft     // FastRecurrentLayer, solver
                + (tf ? 7 * n * h + 4 * n : 0);                                      // LN1/LN2 outputs and stats, after-RNN, fc1
        long shared = n * g * (c.cell().separateHiddenGradient ? 2 : 1) + n * d          // FastRecurrentLayer.Scratch
                + FastRecurrentLayer.Scratch.packedWhhFloats((int) h, (int) gw);            // its packed W_hh
        long chunk = CrossEntropyHead.chunkRows((int) n, c.vocab());
        long partials = (chunk + CrossEntropyHead.ROWS_PER_TASK - 1) / CrossEntropyHead.ROWS_PER_TASK * c.vocab();
        long values = 2 * n + (layers + 1) * n * h + layers * perLayer + shared
                + (tf ? n * h + 2 * n + 8 * n * h : 0)                                  // z, final LN stats, mlpAct, dAct
                + 2 * n * h                                                             // dx, dTmp
                + chunk * c.vocab() + 2 * chunk + partials                              // head: logits, row losses (double), db's partial sums
                + (tf ? 2 * ((n + LayerNormKernel.ROWS_PER_TASK - 1) / LayerNormKernel.ROWS_PER_TASK) * h : 0)   // dγ, dβ partials
                + (long) Parallel.defaultThreads() * (Gemm.scratchFloats() + 4096) + Gemm.sharedScratchFloats();
        return MemoryEstimate.withEngine(c, 4 * values);
    }

    private Workspace workspace(int batch, int steps) {
        if (ws == null || ws.batch != batch || ws.steps != steps) {
            ws = null;                          // let the old one go before the new one is built
            ws = new Workspace(batch, steps);
        }
        return ws;
    }

    // ---------------------------------------------------------------------------------------------

    @Override
    public double lossAndGradient(Parameters params, Batch batch, Method method, Parameters grads) {
        return lossAndGradient(params, batch, method, grads, null);
    }

    @Override
    public double lossAndGradient(Parameters params, Batch batch, Method method, Parameters grads, float[][] state) {
        return lossAndGradient(params, batch, GradientMethod.of(method), grads, state);
    }

    /**
     * The same with any {@link GradientMethod}, one that no {@link Method} names included (a method
     * being tried out, a test's).
     *
     * @param state as in {@link #lossAndGradient(Parameters, Batch, Method, Parameters, float[][])}, or null
     */
    public double lossAndGradient(Parameters params, Batch batch, GradientMethod method, Parameters grads, float[][] state) {
        Workspace w = workspace(batch.batch(), batch.steps());
        load(w, batch);
        zero(grads);
        long t0 = System.nanoTime();
        forward(w, params, state);
        keepFinalStates(w, state);
        long t1 = System.nanoTime();
        phaseNanos[Phase.FORWARD.ordinal()] += t1 - t0;
        int count = w.head.count(w.targets);
        if (count == 0) return 0;
        double sum = w.head.run(w.z, w.targets, params.data(ParamNames.HEAD_WEIGHT), params.data(ParamNames.HEAD_BIAS),
                tf ? w.dTmp : w.dx, grads.data(ParamNames.HEAD_WEIGHT), grads.data(ParamNames.HEAD_BIAS), count);
        long t2 = System.nanoTime();
        phaseNanos[Phase.HEAD.ordinal()] += t2 - t1;
        backward(w, params, grads, method);
        phaseNanos[Phase.OTHER_BACKWARD.ordinal()] += System.nanoTime() - t2 - recurrentNanos;
        phaseNanos[Phase.RECURRENT_DELTA.ordinal()] += deltaNanos;
        phaseNanos[Phase.RECURRENT_GEMMS.ordinal()] += recurrentNanos - deltaNanos;
        return sum / count;
    }

    @Override
    public LossSum evaluate(Parameters params, Batch batch) {
        return evaluate(params, batch, null);
    }

    @Override
    public LossSum evaluate(Parameters params, Batch batch, float[][] state) {
        Workspace w = workspace(batch.batch(), batch.steps());
        load(w, batch);
        forward(w, params, state);
        keepFinalStates(w, state);
        int count = w.head.count(w.targets);
        double sum = w.head.run(w.z, w.targets, params.data(ParamNames.HEAD_WEIGHT), params.data(ParamNames.HEAD_BIAS), null, null, null, count);
        return new LossSum(sum, count);
    }

    /** Runs the forward (the state read, not advanced) and averages each layer's Jacobian diagonal on the fast kernels. */
    @Override
    public long meanJacobianDiagonal(Parameters params, Batch batch, float[][] state, double[][] out) {
        Workspace w = workspace(batch.batch(), batch.steps());
        load(w, batch);
        forward(w, params, state);
        long count = 0;
        double[] sum = new double[d];
        for (int l = 0; l < layers; l++) {
            count = w.rnn[l].jacobianDiagonalSum(hiddenGates ? params.data(names[l].weightHh()) : null, w.targets, config.padId(), sum);
            for (int i = 0; i < d && count > 0; i++) out[l][i] = sum[i] / count;
        }
        return count;
    }

    /** Stream mode: each layer's s_{T−1} into the carried state (nothing when it is null). */
    private void keepFinalStates(Workspace w, float[][] state) {
        if (state == null) return;
        for (int l = 0; l < layers; l++) w.rnn[l].finalState(state[l]);
    }

    private Parameters zeroedLast;
    private float[][] zeroedArrays;

    /** Overwrites every gradient with 0 (the arrays are listed once per Parameters object: no iterator per step). */
    private void zero(Parameters grads) {
        if (grads != zeroedLast) {
            zeroedArrays = grads.list().stream().map(Tensor::data).toArray(float[][]::new);
            zeroedLast = grads;
        }
        for (float[] a : zeroedArrays) java.util.Arrays.fill(a, 0f);
    }

    /** [B, T] batch-major ids → time-major, checked against the vocabulary. */
    private void load(Workspace w, Batch batch) {
        int b = batch.batch(), steps = batch.steps(), v = config.vocab();
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < steps; t++) {
                int id = batch.input()[i * steps + t];
                if (id < 0 || id >= v) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + v + ")");
                w.inputs[t * b + i] = id;
                w.targets[t * b + i] = batch.target()[i * steps + t];
            }
        }
    }

    /**
     * The forward pass of every block into the workspace.
     *
     * @param s0 per layer initial state [B, D], or null for zeros
     */
    private void forward(Workspace w, Parameters p, float[][] s0) {
        int n = w.n;
        float[] emb = p.data(ParamNames.EMBEDDING);
        float[] x0 = w.blockIn[0];
        rows.gather(w.inputs, n, emb, h, x0);
        for (int l = 0; l < layers; l++) {
            ParamNames.Layer nm = names[l];
            float[] xIn = w.blockIn[l], out = tf ? w.afterRnn[l] : w.blockIn[l + 1];
            float[] rin = xIn;
            if (tf) {
                norm.forward(n, h, xIn, p.data(nm.norm1Weight()), p.data(nm.norm1Bias()), w.rnnIn[l], w.ln1Stats[l]);
                rin = w.rnnIn[l];
            }
            FastRecurrentLayer rnn = w.rnn[l];
            rnn.forward(rin, s0 == null ? null : s0[l], p.data(nm.weightIh()), hiddenGates ? p.data(nm.weightHh()) : null,
                    p.data(nm.biasIh()), hiddenGates ? p.data(nm.biasHh()) : null);
            rows.copy(xIn, out, n * h);
            if (proj) {                                      // out = x + s·Wpᵀ + bp
                gemm.nt(n, h, d, rnn.states, 0, p.data(nm.projWeight()), 0, out, 0, true);
                rows.addRowVector(out, n, h, p.data(nm.projBias()));
            } else {
                rows.add(out, rnn.states, n * h);
            }
            if (tf) {                                        // x = x + fc2(GELU(fc1(LN2(x))))
                float[] next = w.blockIn[l + 1];
                norm.forward(n, h, out, p.data(nm.norm2Weight()), p.data(nm.norm2Bias()), w.mlpIn[l], w.ln2Stats[l]);
                gemm.nt(n, 4 * h, h, w.mlpIn[l], 0, p.data(nm.fc1Weight()), 0, w.mlpHidden[l], 0, false);
                gelu.forward(n, 4 * h, w.mlpHidden[l], p.data(nm.fc1Bias()), w.mlpAct);
                rows.copy(out, next, n * h);
                gemm.nt(n, h, 4 * h, w.mlpAct, 0, p.data(nm.fc2Weight()), 0, next, 0, true);
                rows.addRowVector(next, n, h, p.data(nm.fc2Bias()));
            }
        }
        if (tf) norm.forward(n, h, w.blockIn[layers], p.data(ParamNames.NORM_WEIGHT), p.data(ParamNames.NORM_BIAS), w.z, w.normStats);
    }

    /** Backward from the head's dz (in w.dx, or w.dTmp for the transformer) to every gradient. */
    private void backward(Workspace w, Parameters p, Parameters g, GradientMethod gradientMethod) {
        int n = w.n;
        float[] dx = w.dx;
        recurrentNanos = 0;
        deltaNanos = 0;
        if (tf) norm.backward(n, h, w.blockIn[layers], w.normStats, p.data(ParamNames.NORM_WEIGHT), w.dTmp, dx,
                g.data(ParamNames.NORM_WEIGHT), g.data(ParamNames.NORM_BIAS));
        for (int l = layers - 1; l >= 0; l--) {
            ParamNames.Layer nm = names[l];
            if (tf) {
                float[] dAct = w.dAct;
                gemm.nn(n, 4 * h, h, dx, 0, p.data(nm.fc2Weight()), 0, dAct, 0, false);               // dAct = dx·W2
                gelu.forward(n, 4 * h, w.mlpHidden[l], null, w.mlpAct);                         // act, recomputed
                gemm.tn(h, 4 * h, n, dx, 0, w.mlpAct, 0, g.data(nm.fc2Weight()), 0, true);              // dW2 += dxᵀ·act
                columnSums.add(dx, n, h, h, g.data(nm.fc2Bias()));
                gelu.backward(n * 4 * h, w.mlpHidden[l], dAct);
                gemm.nn(n, h, 4 * h, dAct, 0, p.data(nm.fc1Weight()), 0, w.dTmp, 0, false);            // dMlpIn = dAct·W1
                gemm.tn(4 * h, h, n, dAct, 0, w.mlpIn[l], 0, g.data(nm.fc1Weight()), 0, true);         // dW1 += dActᵀ·mlpIn
                columnSums.add(dAct, n, 4 * h, 4 * h, g.data(nm.fc1Bias()));
                norm.backward(n, h, w.afterRnn[l], w.ln2Stats[l], p.data(nm.norm2Weight()), w.dTmp, w.dTmp,
                        g.data(nm.norm2Weight()), g.data(nm.norm2Bias()));
                rows.add(dx, w.dTmp, n * h);
            }
            FastRecurrentLayer rnn = w.rnn[l];
            float[] e = rnn.errors();                           // e_t = ∂L/∂s_t from the residual branch
            if (proj) {
                gemm.nn(n, d, h, dx, 0, p.data(nm.projWeight()), 0, e, 0, false);                      // e = dx·Wp
                gemm.tn(h, d, n, dx, 0, rnn.states, 0, g.data(nm.projWeight()), 0, true);               // dWp += dxᵀ·s
                columnSums.add(dx, n, h, h, g.data(nm.projBias()));
            } else {
                rows.copy(dx, e, n * h);
            }
            long r0 = System.nanoTime();
            rnn.backward(gradientMethod, p.data(nm.lambda()), p.data(nm.weightIh()), hiddenGates ? p.data(nm.weightHh()) : null,
                    g.data(nm.weightIh()), hiddenGates ? g.data(nm.weightHh()) : null, g.data(nm.biasIh()),
                    hiddenGates ? g.data(nm.biasHh()) : null, w.dTmp);
            recurrentNanos += System.nanoTime() - r0;
            deltaNanos += rnn.deltaNanos;
            if (tf) {
                norm.backward(n, h, w.blockIn[l], w.ln1Stats[l], p.data(nm.norm1Weight()), w.dTmp, w.dTmp,
                        g.data(nm.norm1Weight()), g.data(nm.norm1Bias()));
            }
            rows.add(dx, w.dTmp, n * h);
        }
        rows.scatterAdd(w.inputs, n, dx, h, g.data(ParamNames.EMBEDDING));
    }

    // ---------------------------------------------------------------------------------------------

    @Override
    public Stepper stepper(Parameters params, int batch) {
        return new FastStepper(params, batch);
    }

    /** One token at a time: a (B, 1) workspace of its own and the carried states. */
    private final class FastStepper implements Stepper {
        private final Parameters params;
        private final Workspace w;
        private final float[][] states;   // per layer s_{t−1}, [B, D]
        private final Batch one;

        FastStepper(Parameters params, int batch) {
            this.params = params;
            this.w = new Workspace(batch, 1);
            this.states = new float[layers][batch * d];
            this.one = new Batch(batch, 1, new int[batch], new int[batch]);
        }

        @Override
        public void step(int[] tokens, float[] logits) {
            System.arraycopy(tokens, 0, one.input(), 0, w.batch);
            load(w, one);
            forward(w, params, states);
            keepFinalStates(w, states);
            w.head.logits(w.batch, w.z, params.data(ParamNames.HEAD_WEIGHT), params.data(ParamNames.HEAD_BIAS), logits);
        }

        @Override
        public void reset() {
            for (float[] s : states) java.util.Arrays.fill(s, 0f);
        }
    }
}
