package dsf4j.engine.cuda;

import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.DeviceTrainer;
import dsf4j.engine.Engine;
import dsf4j.model.Batch;
import dsf4j.model.ParamNames;
import dsf4j.model.Parameters;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link Engine} on an NVIDIA GPU: float32 weights, activations and gradients on the device,
 * GEMMs in cuBLAS (TF32 tensor cores unless constructed with tf32 = false), everything else in the
 * NVRTC-compiled kernels of {@code resources/dsf4j/cuda}. Each step (forward, backward and, for a
 * {@link #deviceTrainer}, norm, clipping and Adam) is captured once per batch shape and method into a CUDA graph and replayed,
 * so the T sequential steps of the recurrence cost no Java-side launches ({@code DSF4J_CUDA_GRAPHS=0}
 * launches everything eagerly instead, for debugging).
 *
 * <p>{@link #lossAndGradient} uploads the weights and downloads the gradients on every call (the
 * Engine contract); {@link #deviceTrainer} keeps them on the device. DSF's δ comes from one scan kernel,
 * parallel over the B·D channels ({@link DsfSolver#SCAN}); the engine refuses the other solvers.
 */
public final class CudaEngine implements Engine {

    private static final boolean GRAPHS = !"0".equals(System.getenv("DSF4J_CUDA_GRAPHS"));

    private final ModelConfig config;
    private final Gpu gpu;
    private final CudaModel model;
    private Runner grads;   // for lossAndGradient and evaluate; built on the first call

    /**
     * @param solver how DSF solves eq. 13: {@link DsfSolver#SCAN}, the one the engine has a kernel for
     * @param tf32   TF32 tensor cores for the GEMMs (the paper's setting); false for exact float32
     * @throws IllegalArgumentException for another solver (before looking for a GPU)
     * @throws CudaUnavailableException when the libraries or a GPU are missing
     */
    public CudaEngine(ModelConfig config, DsfSolver solver, boolean tf32) {
        requireSolver(solver);
        this.config = config;
        this.gpu = new Gpu(CudaRuntime.get(), tf32);
        this.model = new CudaModel(config, gpu);
    }

    /** The cuda engine solves eq. 13 with its scan kernel only. */
    static void requireSolver(DsfSolver solver) {
        if (solver != DsfSolver.SCAN) {
            throw new IllegalArgumentException("--dsf-solver " + solver.id() + " is not on the cuda engine, which solves DSF's recurrence with one parallel scan kernel: "
                    + "use --dsf-solver scan (prefix and fft run on --engine fast or reference)");
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** Bytes of device memory the workspace of one (batch, seq) shape takes for {@code config} (weights, gradients and Adam aside). */
    public static long workspaceBytes(ModelConfig config, int batch, int seq) {
        return Workspace.bytes(config, batch, seq);
    }

    /** The device and libraries, one line each, and the cuBLAS version and math mode. */
    public String describe() {
        return gpu.rt.describe() + String.format("%ncuda: cuBLAS version %d, %s", gpu.cublasVersion(), gpu.tf32() ? "TF32 tensor-op math" : "exact float32 math");
    }

    private Runner gradsRunner(Parameters params) {
        gpu.rt.makeCurrent();
        if (grads == null || !grads.params.matches(params)) {
            if (grads != null) grads.close();
            grads = new Runner(new DeviceParams(gpu, params));
        }
        return grads;
    }

    @Override
    public double lossAndGradient(Parameters params, Batch batch, Method method, Parameters out) {
        return lossAndGradient(params, batch, method, out, null);
    }

    @Override
    public double lossAndGradient(Parameters params, Batch batch, Method method, Parameters out, float[][] state) {
        Runner r = gradsRunner(params);
        r.params.upload(params);
        int count = r.prepare(batch, state);
        r.run("grads-" + method.id(), state != null, () -> {
            model.forward(r.params, r.ws, true, state != null);
            model.backward(r.params, r.ws, method);
        });
        r.keepFinalStates(state);
        r.params.downloadGrads(out);
        return count == 0 ? 0 : r.lossSum() / count;
    }

    @Override
    public LossSum evaluate(Parameters params, Batch batch) {
        return evaluate(params, batch, null);
    }

    @Override
    public LossSum evaluate(Parameters params, Batch batch, float[][] state) {
        Runner r = gradsRunner(params);
        r.params.upload(params);
        return r.evaluate(batch, state);
    }

    /** The cuda engine's trainer: {@code initial}'s weights (copied), the gradients and Adam's moments on the GPU. */
    @Override
    public Optional<DeviceTrainer> deviceTrainer(Parameters initial, DeviceTrainer.Settings settings) {
        gpu.rt.makeCurrent();
        if (grads != null) {   // the trainer's weights live in their own buffers: free the Engine calls' copy
            grads.close();
            grads = null;
        }
        Runner r = new Runner(new DeviceParams(gpu, initial));
        r.params.upload(initial);
        r.params.withMoments();
        return Optional.of(new DeviceTrainer() {
            private long t;

            @Override
            public Update step(Batch batch, Method method, double lr, float[][] carried) {
                gpu.rt.makeCurrent();
                int count = r.prepare(batch, carried);
                t++;
                r.setOptimizer(settings, lr, t);
                r.uploadHyper();
                r.run("train-" + method.id(), carried != null, () -> {
                    model.forward(r.params, r.ws, true, carried != null);
                    model.backward(r.params, r.ws, method);
                    model.gradientNorm(r.params, r.ws);
                    model.adam(r.params, r.ws);
                });
                r.keepFinalStates(carried);
                double[] sums = r.sums();
                Update u = new Update(count == 0 ? 0 : sums[0] / count, Math.sqrt(sums[1]));
                if (!u.applied()) t--;   // the adam kernel made no change
                return u;
            }

            @Override
            public LossSum evaluate(Batch batch, float[][] carried) {
                gpu.rt.makeCurrent();
                return r.evaluate(batch, carried);
            }

            @Override
            public long updates() {
                return t;
            }

            @Override
            public void copyTo(Parameters params, Parameters firstMoments, Parameters secondMoments) {
                gpu.rt.makeCurrent();
                r.params.download(params);
                if (firstMoments != null) r.params.downloadMoments(firstMoments, secondMoments);
            }

            @Override
            public void restore(Parameters firstMoments, Parameters secondMoments, long updates) {
                if (updates < 0) throw new IllegalArgumentException("optimizer step count " + updates + " is negative");
                gpu.rt.makeCurrent();
                r.params.uploadMoments(firstMoments, secondMoments);
                t = updates;
            }

            @Override
            public void close() {
                gpu.rt.makeCurrent();
                r.close();
            }
        });
    }

    /**
     * Event-timed medians (ms) over {@code reps} replays of: the forward and loss; the forward and
     * backward; the whole training step with Adam. For the profile a GPU check prints; uses a
     * private copy of the weights.
     */
    public float[] phaseTimes(Parameters params, Batch batch, Method method, int reps) {
        gpu.rt.makeCurrent();
        try (Runner r = new Runner(new DeviceParams(gpu, params))) {
            r.params.upload(params);
            r.params.withMoments();
            r.prepare(batch, null);
            r.setOptimizer(DeviceTrainer.Settings.of(false, 0, 0), 1e-3, 1);
            r.uploadHyper();
            Runnable[] phases = {
                    () -> model.forward(r.params, r.ws, true, false),
                    () -> { model.forward(r.params, r.ws, true, false); model.backward(r.params, r.ws, method); },
                    () -> { model.forward(r.params, r.ws, true, false); model.backward(r.params, r.ws, method);
                            model.gradientNorm(r.params, r.ws); model.adam(r.params, r.ws); }};
            float[] out = new float[phases.length];
            for (int i = 0; i < phases.length; i++) {
                String key = "phase" + i + "-" + method.id();
                Runnable phase = phases[i];
                r.run(key, false, phase);   // warm-up (and capture)
                float[] ms = new float[reps];
                for (int k = 0; k < reps; k++) ms[k] = gpu.time(() -> r.run(key, false, phase));
                java.util.Arrays.sort(ms);
                out[i] = ms[reps / 2];
            }
            return out;
        }
    }

    @Override
    public Stepper stepper(Parameters params, int batch) {
        gpu.rt.makeCurrent();
        Runner r = new Runner(new DeviceParams(gpu, params));
        r.params.upload(params);
        int[] targets = new int[batch];
        java.util.Arrays.fill(targets, config.padId() >= 0 ? config.padId() : 0);
        float[] bias = params.data(ParamNames.HEAD_BIAS);
        float[][] state = new float[config.layers()][batch * config.stateSize()];
        return new Stepper() {
            @Override
            public void step(int[] tokens, float[] logits) {
                gpu.rt.makeCurrent();
                r.prepare(new Batch(batch, 1, tokens, targets), state);
                model.forward(r.params, r.ws, false, true);
                r.keepFinalStates(state);
                gpu.download(logits, 0, r.ws.logits, batch * config.vocab());
                for (int i = 0; i < logits.length; i++) logits[i] += bias[i % bias.length];
            }

            @Override
            public void reset() {
                for (float[] s : state) java.util.Arrays.fill(s, 0f);
            }

            @Override
            public void close() {
                gpu.rt.makeCurrent();
                r.close();
            }
        };
    }

    @Override
    public void close() {
        if (grads != null) grads.close();
        gpu.close();
    }

    /**
     * Device weights, one device allocation for the workspaces (as large as the largest batch shape
     * seen so far; a {@link Workspace} view of it per shape) and the graphs captured on those views.
     */
    private final class Runner implements AutoCloseable {
        /**
         * Graphs kept, the least recently replayed destroyed first: sentence buckets give a few hundred
         * shapes (training and validation), and each graph holds its own memory.
         */
        private static final int MAX_GRAPHS = 512;

        final DeviceParams params;
        Workspace ws;                                  // the current batch's view
        final float[] hyper = new float[Hyper.COUNT];   // by Hyper's ordinals
        private long arena, arenaBytes;
        private final Map<Long, Workspace> views = new HashMap<>();
        private final LinkedHashMap<String, MemorySegment> graphs = new LinkedHashMap<>(16, 0.75f, true);   // access order

        Runner(DeviceParams params) {
            this.params = params;
        }

        /**
         * Makes {@link #ws} the batch's view (growing the allocation if the shape needs more), uploads
         * its ids, 1/count into hyper (Hyper.INV_COUNT) and, when {@code carried} is not null, each layer's state into
         * the states' row block 0.
         *
         * @return the number of non-pad targets
         */
        int prepare(Batch batch, float[][] carried) {
            int b = batch.batch(), steps = batch.steps();
            long need = Workspace.bytes(config, b, steps);
            if (need > arenaBytes) {
                dropGraphs();
                views.clear();
                ws = null;
                if (arena != 0) gpu.free(arena);
                arena = 0;
                arena = gpu.alloc((need + 3) / 4);
                arenaBytes = need;
            }
            ws = views.computeIfAbsent(((long) b << 32) | steps, k -> new Workspace(config, b, steps, arena));
            int count = 0;
            int[] in = new int[b * steps], tg = new int[b * steps];
            for (int i = 0; i < b; i++) {
                for (int t = 0; t < steps; t++) {
                    int id = batch.input()[i * steps + t], target = batch.target()[i * steps + t];
                    if (id < 0 || id >= config.vocab()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocab() + ")");
                    if (target != config.padId() && (target < 0 || target >= config.vocab())) {
                        throw new IllegalArgumentException("target id " + target + " is outside the vocabulary [0, " + config.vocab() + ")");
                    }
                    in[t * b + i] = id;
                    tg[t * b + i] = target;
                    if (target != config.padId()) count++;
                }
            }
            gpu.upload(ws.tokens, in);
            gpu.upload(ws.targets, tg);
            Hyper.INV_COUNT.set(hyper, count == 0 ? 0 : 1.0 / count);
            uploadHyper();
            if (carried != null) {
                int d = config.stateSize();
                for (int l = 0; l < carried.length; l++) gpu.upload(ws.states[l], carried[l], 0, b * d);
            }
            return count;
        }

        /** Adam's (or AdamW's) settings at update t (1 for the first) with learning rate lr, into hyper. */
        void setOptimizer(DeviceTrainer.Settings settings, double lr, long t) {
            Hyper.LR.set(hyper, lr);
            Hyper.BETA1.set(hyper, settings.beta1());
            Hyper.BETA2.set(hyper, settings.beta2());
            Hyper.EPS.set(hyper, settings.eps());
            Hyper.WEIGHT_DECAY.set(hyper, settings.weightDecay());
            Hyper.BIAS_CORRECTION1.set(hyper, 1 - Math.pow(settings.beta1(), t));
            Hyper.BIAS_CORRECTION2.set(hyper, 1 - Math.pow(settings.beta2(), t));
            Hyper.DECOUPLED.set(hyper, settings.decoupled() ? 1 : 0);
            Hyper.MAX_NORM.set(hyper, settings.clip());
        }

        void uploadHyper() {
            gpu.upload(ws.hyper, hyper, 0, hyper.length);
        }

        /** Stream mode: each layer's s_{T−1} (the states' last row block) into {@code carried}; nothing when null. */
        void keepFinalStates(float[][] carried) {
            if (carried == null) return;
            int d = config.stateSize();
            for (int l = 0; l < carried.length; l++) gpu.download(carried[l], 0, ws.states[l] + 4L * ws.steps * ws.b * d, ws.b * d);
        }

        /** ws.sums: Σ cross-entropy and Σ g² (waits for the stream). */
        double[] sums() {
            return new double[] {gpu.downloadDouble(ws.sums), gpu.downloadDouble(ws.sums + 8)};
        }

        double lossSum() {
            return gpu.downloadDouble(ws.sums);
        }

        /** The forward and loss of {@code batch} on these weights. */
        LossSum evaluate(Batch batch, float[][] carried) {
            int count = prepare(batch, carried);
            run("eval", carried != null, () -> model.forward(params, ws, false, carried != null));
            keepFinalStates(carried);
            return new LossSum(lossSum(), count);
        }

        /**
         * Runs what {@code enqueue} enqueues on the current view: as the graph captured for this
         * (key, shape, carried) on first use, or eagerly when graphs are off.
         */
        void run(String key, boolean carried, Runnable enqueue) {
            if (!GRAPHS) {
                enqueue.run();
                return;
            }
            String full = key + (carried ? "-carried" : "") + "@" + ws.b + "x" + ws.steps;
            MemorySegment exec = graphs.get(full);
            if (exec == null) {
                if (graphs.size() >= MAX_GRAPHS) {
                    var eldest = graphs.entrySet().iterator().next();
                    gpu.destroy(eldest.getValue());
                    graphs.remove(eldest.getKey());
                }
                exec = gpu.capture(enqueue);
                graphs.put(full, exec);
            }
            gpu.replay(exec);
        }

        private void dropGraphs() {
            for (MemorySegment g : graphs.values()) gpu.destroy(g);
            graphs.clear();
        }

        @Override
        public void close() {
            dropGraphs();
            views.clear();
            if (arena != 0) gpu.free(arena);
            arena = 0;
            params.close();
        }
    }
}
