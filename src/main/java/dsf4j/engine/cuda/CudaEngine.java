package dsf4j.engine.cuda;

import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.DeviceTrainer;
import dsf4j.engine.Engine;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@link Engine} on an NVIDIA GPU: float32 weights, activations and gradients on the device,
 * GEMMs in cuBLAS (TF32 tensor cores unless constructed with tf32 = false), everything else in the
 * NVRTC-compiled kernels of {@code resources/dsf4j/cuda}. Each step (forward, backward and, for a
 * {@link #trainer}, Adam) is captured once per batch shape and method into a CUDA graph and replayed,
 * so the T sequential steps of the recurrence cost no Java-side launches ({@code DSF4J_CUDA_GRAPHS=0}
 * launches everything eagerly instead, for debugging).
 *
 * <p>{@link #lossAndGradient} uploads the weights and downloads the gradients on every call (the
 * Engine contract); {@link #trainer} keeps them on the device. DSF's δ comes from a parallel scan
 * kernel whatever {@link DsfSolver} is asked for: the three solvers compute the same δ.
 */
public final class CudaEngine implements Engine {

    private static final boolean GRAPHS = !"0".equals(System.getenv("DSF4J_CUDA_GRAPHS"));

    private final ModelConfig config;
    private final Gpu gpu;
    private final CudaModel model;
    private Runner grads;   // for lossAndGradient and evaluate; built on the first call

    /**
     * @param solver accepted for the Engine's constructor shape; the GPU always scans
     * @param tf32   TF32 tensor cores for the GEMMs (the paper's setting); false for exact float32
     * @throws CudaUnavailableException when the libraries or a GPU are missing
     */
    public CudaEngine(ModelConfig config, DsfSolver solver, boolean tf32) {
        this.config = config;
        this.gpu = new Gpu(CudaRuntime.get(), tf32);
        this.model = new CudaModel(config, gpu);
    }

    @Override
    public String name() {
        return "cuda";
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
        Runner r = gradsRunner(params);
        r.params.upload(params);
        int count = r.prepare(batch);
        if (count == 0) {
            for (var t : out) java.util.Arrays.fill(t.data(), 0f);
            return 0;
        }
        r.run("grads-" + method.id(), () -> {
            model.forward(r.params, r.ws, true, false);
            model.backward(r.params, r.ws, method);
        });
        double loss = gpu.downloadDouble(r.ws.loss) / count;
        r.params.downloadGrads(out);
        return loss;
    }

    @Override
    public LossSum evaluate(Parameters params, Batch batch) {
        Runner r = gradsRunner(params);
        r.params.upload(params);
        int count = r.prepare(batch);
        r.run("eval", () -> model.forward(r.params, r.ws, false, false));
        return new LossSum(gpu.downloadDouble(r.ws.loss), count);
    }

    /** A trainer that keeps {@code initial}'s weights (copied), the gradients and Adam's moments on the GPU. */
    public DeviceTrainer trainer(Parameters initial, DeviceTrainer.Adam adam) {
        gpu.rt.makeCurrent();
        Runner r = new Runner(new DeviceParams(gpu, initial));
        r.params.upload(initial);
        r.params.withMoments();
        return new DeviceTrainer() {
            private long t;

            @Override
            public double step(Batch batch, Method method, double lr) {
                gpu.rt.makeCurrent();
                int count = r.prepare(batch);
                if (count == 0) return 0;
                t++;
                r.hyper[1] = (float) lr;
                r.hyper[2] = (float) adam.beta1();
                r.hyper[3] = (float) adam.beta2();
                r.hyper[4] = (float) adam.eps();
                r.hyper[5] = (float) adam.weightDecay();
                r.hyper[6] = (float) (1 - Math.pow(adam.beta1(), t));
                r.hyper[7] = (float) (1 - Math.pow(adam.beta2(), t));
                gpu.upload(r.ws.hyper, r.hyper, 0, r.hyper.length);
                r.run("train-" + method.id(), () -> {
                    model.forward(r.params, r.ws, true, false);
                    model.backward(r.params, r.ws, method);
                    model.adam(r.params, r.ws);
                });
                return gpu.downloadDouble(r.ws.loss) / count;
            }

            @Override
            public long updates() {
                return t;
            }

            @Override
            public void copyTo(Parameters params) {
                gpu.rt.makeCurrent();
                r.params.download(params);
            }

            @Override
            public void close() {
                r.close();
            }
        };
    }

    /**
     * Event-timed medians (ms) over {@code reps} replays of: the forward and loss; the forward and
     * backward; the whole training step with Adam. For the profile a GPU check prints; uses a
     * private copy of the weights.
     */
    float[] phaseTimes(Parameters params, Batch batch, Method method, int reps) {
        gpu.rt.makeCurrent();
        try (Runner r = new Runner(new DeviceParams(gpu, params))) {
            r.params.upload(params);
            r.params.withMoments();
            r.prepare(batch);
            float[] h = {r.hyper[0], 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0.1f, 0.001f};
            gpu.upload(r.ws.hyper, h, 0, h.length);
            Runnable[] phases = {
                    () -> model.forward(r.params, r.ws, true, false),
                    () -> { model.forward(r.params, r.ws, true, false); model.backward(r.params, r.ws, method); },
                    () -> { model.forward(r.params, r.ws, true, false); model.backward(r.params, r.ws, method); model.adam(r.params, r.ws); }};
            float[] out = new float[phases.length];
            for (int i = 0; i < phases.length; i++) {
                String key = "phase" + i + "-" + method.id();
                Runnable phase = phases[i];
                r.run(key, phase);   // warm-up (and capture)
                float[] ms = new float[reps];
                for (int k = 0; k < reps; k++) ms[k] = gpu.time(() -> r.run(key, phase));
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
        float[] bias = params.data("head.bias");
        int d = config.stateSize();
        long[] state = new long[config.layers()];
        for (int l = 0; l < state.length; l++) {
            state[l] = gpu.alloc((long) batch * d);
            gpu.zero(state[l], (long) batch * d);
        }
        return new Stepper() {
            @Override
            public void step(int[] tokens, float[] logits) {
                gpu.rt.makeCurrent();
                r.prepare(new Batch(batch, 1, tokens, targets));
                for (int l = 0; l < state.length; l++) gpu.copy(r.ws.states[l], state[l], (long) batch * d);
                model.forward(r.params, r.ws, false, true);
                for (int l = 0; l < state.length; l++) gpu.copy(state[l], r.ws.states[l] + 4L * batch * d, (long) batch * d);
                gpu.download(logits, 0, r.ws.logits, batch * config.vocab());
                for (int i = 0; i < logits.length; i++) logits[i] += bias[i % bias.length];
            }

            @Override
            public void reset() {
                for (long s : state) gpu.zero(s, (long) batch * d);
            }
        };
    }

    @Override
    public void close() {
        if (grads != null) grads.close();
        gpu.close();
    }

    /** Device weights, a workspace for the current batch shape, and the graphs captured on them. */
    private final class Runner implements AutoCloseable {
        final DeviceParams params;
        Workspace ws;
        final float[] hyper = new float[8];
        private final Map<String, MemorySegment> graphs = new HashMap<>();

        Runner(DeviceParams params) {
            this.params = params;
        }

        /** Sizes the workspace for the batch and uploads its ids; returns the number of non-pad targets. */
        int prepare(Batch batch) {
            if (ws == null || ws.b != batch.batch() || ws.steps != batch.steps()) {
                dropGraphs();
                if (ws != null) ws.close();
                ws = null;
                ws = new Workspace(gpu, config, batch.batch(), batch.steps());
            }
            int b = batch.batch(), steps = batch.steps(), count = 0;
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
            hyper[0] = count == 0 ? 0f : 1f / count;
            gpu.upload(ws.hyper, hyper, 0, 1);
            return count;
        }

        /** Runs what {@code enqueue} enqueues: as a captured graph (captured on first use) or eagerly. */
        void run(String key, Runnable enqueue) {
            if (!GRAPHS) {
                enqueue.run();
                return;
            }
            MemorySegment exec = graphs.get(key);
            if (exec == null) {
                exec = gpu.capture(enqueue);
                graphs.put(key, exec);
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
            if (ws != null) ws.close();
            params.close();
        }
    }
}
