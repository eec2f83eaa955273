package dsf4j.bench;

import dsf4j.config.BlockType;
import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.GradientProbe;
import dsf4j.engine.fast.FastEngine;
import dsf4j.engine.fast.Gemm;
import dsf4j.grad.GradientMethod;
import dsf4j.grad.RecurrentBackward;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import dsf4j.train.AdaptiveLambda;
import dsf4j.train.TrainConfig;

import java.util.Arrays;

/**
 * Times whole training steps of the fast engine (forward, loss, backward, and an Adam-shaped
 * elementwise pass standing in for the optimizer) and the GEMM ceiling on the same machine in the
 * same run.
 */
public final class StepBench {

    private StepBench() {}

    /** Medians over the timed steps; times in milliseconds per step. */
    public record Result(String preset, String method, int threads, double tokensPerSecond, double stepMs,
                         double forwardMs, double headMs, double recurrentDeltaMs, double recurrentGemmMs, double otherBackwardMs,
                         double optimizerMs, double gflopPerStep, double gflops) {}

    /**
     * @param warmup untimed steps first (JIT, workspace)
     * @param steps  timed steps
     */
    public static Result run(BenchPresets.Preset preset, Method method, DsfSolver solver, int threads, int warmup, int steps) {
        return run(preset, method, solver, threads, warmup, steps, 0);
    }

    /**
     * @param lambdaUpdate adaptive λ ({@code --lambda-update}): every step also runs {@link AdaptiveLambda#update},
     *                     timed apart, and the step time is the median step plus the median update / N (its
     *                     cost spread over the N steps it serves; the forward-only breakdown leaves it out); 0 = fixed λ
     */
    public static Result run(BenchPresets.Preset preset, Method method, DsfSolver solver, int threads, int warmup, int steps, int lambdaUpdate) {
        if (lambdaUpdate > 0 && !method.usesLambda()) {
            throw new IllegalArgumentException("--lambda-update sets DSF's λ, and --method " + method.id() + " reads no λ: time it with dsf or hybrid:K");
        }
        ModelConfig c = preset.config();
        Parameters params = ParamLayout.init(c, 1);
        Parameters grads = params.zerosLike(), m = params.zerosLike(), v = params.zerosLike();
        Batch batch = fullBatch(c, preset.batch(), preset.steps(), 2);
        double[] update = new double[steps], step = new double[steps], fwd = new double[steps], head = new double[steps], rec = new double[steps], recG = new double[steps],
                other = new double[steps], opt = new double[steps];
        try (FastEngine engine = new FastEngine(c, solver, threads)) {
            for (int i = 0; i < warmup + steps; i++) {
                engine.resetPhases();
                long tu = System.nanoTime();
                if (lambdaUpdate > 0) AdaptiveLambda.update(engine, params, batch, null, c.layers(), TrainConfig.DEFAULT_LAMBDA_MAX);
                long t0 = System.nanoTime();
                engine.lossAndGradient(params, batch, method, grads);
                long t1 = System.nanoTime();
                adamShapedPass(params, grads, m, v);
                long t2 = System.nanoTime();
                if (i < warmup) continue;
                int k = i - warmup;
                long[] ph = engine.phaseNanos();
                step[k] = (t2 - t0) / 1e6;
                update[k] = (t0 - tu) / 1e6;
                fwd[k] = ph[FastEngine.Phase.FORWARD.ordinal()] / 1e6;
                head[k] = ph[FastEngine.Phase.HEAD.ordinal()] / 1e6;
                rec[k] = ph[FastEngine.Phase.RECURRENT_DELTA.ordinal()] / 1e6;
                recG[k] = ph[FastEngine.Phase.RECURRENT_GEMMS.ordinal()] / 1e6;
                other[k] = ph[FastEngine.Phase.OTHER_BACKWARD.ordinal()] / 1e6;
                opt[k] = (t2 - t1) / 1e6;
            }
        }
        double ms = median(step) + (lambdaUpdate > 0 ? median(update) / lambdaUpdate : 0), tokens = batch.targetCount(c.padId());   // = B·T: the batch has no padding
        double gflop = flopsPerToken(c, method, preset.steps()) * tokens / 1e9;
        return new Result(preset.name(), method.id() + (lambdaUpdate > 0 ? " λ/" + lambdaUpdate : ""), threads, tokens / (ms / 1e3), ms, median(fwd), median(head),
                median(rec), median(recG), median(other), median(opt), gflop, gflop / (ms / 1e3));
    }

    /**
     * A batch of random ids with no pad target, so that tokens/s (the targets the loss sees) equals B·T per
     * second, the figure PyTorch's baseline reports for its full batches too.
     */
    static Batch fullBatch(ModelConfig c, int batch, int steps, long seed) {
        Batch b = GradientProbe.randomBatch(c, batch, steps, seed);
        int[] target = b.target().clone(), input = b.input();
        for (int i = 0; i < target.length; i++) if (target[i] == c.padId()) target[i] = input[(i + 1) % input.length];
        return new Batch(batch, steps, input, target);
    }

    /**
     * The dense-product FLOPs of one token's training step (2 per multiply-add): forward, then twice
     * that in the backward (dX and dW), plus the products by W_hh going back for the share of steps where
     * the method forms Jacobian products (BPTT: all but the first; a cell without hidden gates has no W_hh).
     */
    public static double flopsPerToken(ModelConfig c, Method method, int steps) {
        double h = c.hidden(), g = c.cell().gates * h, gw = c.cell().hiddenGates * h, d = c.stateSize(), v = c.vocab();
        boolean tf = c.block() == BlockType.TRANSFORMER, proj = ParamLayout.hasProjection(c);
        double layerFwd = 2 * h * g + 2 * h * gw + (proj ? 2 * d * h : 0) + (tf ? 2 * 2 * h * 4 * h : 0);
        double layerBwd = 2 * h * g * 2 + 2 * h * gw + 2 * gw * h * jacobianProducts(method, steps) / steps
                + (proj ? 4 * d * h : 0) + (tf ? 4 * 2 * h * 4 * h : 0);
        return c.layers() * (layerFwd + layerBwd) + 3 * 2 * h * v;
    }

    /** How many of T steps form a Jacobian product δ_t·J_t under {@code method}: asked of the method itself. */
    static int jacobianProducts(Method method, int steps) {
        int[] count = {0};
        GradientMethod.of(method).backward(new RecurrentBackward() {
            @Override public int steps() { return steps; }
            @Override public void localSteps(int from, int to) {}
            @Override public void exactSteps(int from, int to) { count[0] += Math.max(0, to - from - 1); }
            @Override public void solveDiagonal(int window) {}
        });
        return count[0];
    }

    /**
     * {@link Gemm}'s GFLOP/s on the step's two main shapes, the faster shape's: its fastest call ({@code best},
     * the ceiling a step is held to) and all its calls over the timed second ({@code sustained}, measured as
     * the step is: many calls in a row, on a VM whose speed drifts).
     */
    public record Ceiling(double best, double sustained) {}

    /**
     * The GEMM ceiling over the step's two main shapes (the input projection [B·T, H]·[H, G·H] and a head
     * chunk [B·T, H]·[H, V], both NT) on {@code threads} workers.
     */
    public static Ceiling gemmCeiling(BenchPresets.Preset preset, int threads) {
        ModelConfig c = preset.config();
        int n = Math.min(preset.batch() * preset.steps(), 8192), h = c.hidden();
        int[][] shapes = {{n, h, c.cell().gates * h}, {Math.min(n, 2048), h, c.vocab()}};
        double best = 0, sustained = 0;
        try (dsf4j.engine.fast.Parallel p = new dsf4j.engine.fast.Parallel(threads)) {
            Gemm gemm = new Gemm(p);
            for (int[] s : shapes) {
                float[] a = new float[s[0] * s[1]], b = new float[s[2] * s[1]], out = new float[s[0] * s[2]];
                Arrays.fill(a, 0.5f);
                Arrays.fill(b, 0.25f);
                double flops = 2.0 * s[0] * s[1] * s[2];
                // Warm-up, 3 s for the first shape (from a fresh JVM on 2 busy cores C2's kernel arrived after
                // about 2 s, with Zen 4's KC after 3), 1 s for the second; then 1 s of calls: the fastest, and all of them
                for (long end = System.nanoTime() + (s == shapes[0] ? 3_000_000_000L : 1_000_000_000L); System.nanoTime() < end; ) {
                    gemm.nt(s[0], s[2], s[1], a, 0, b, 0, out, 0, false);
                }
                long start = System.nanoTime(), calls = 0;
                for (long end = start + 1_000_000_000L; System.nanoTime() < end; calls++) {
                    long t0 = System.nanoTime();
                    gemm.nt(s[0], s[2], s[1], a, 0, b, 0, out, 0, false);
                    best = Math.max(best, flops / (System.nanoTime() - t0));
                }
                sustained = Math.max(sustained, calls * flops / (System.nanoTime() - start));
            }
        }
        return new Ceiling(best, sustained);
    }

    /**
     * The GEMM calls of one training step of {@code preset} per method in {@code methods}, recorded from
     * the fast engine itself, with how many times each shape occurs (in first-call order).
     */
    public static java.util.Map<Gemm.Shape, Integer> gemmShapes(BenchPresets.Preset preset, java.util.List<Method> methods, DsfSolver solver) {
        ModelConfig c = preset.config();
        Parameters params = ParamLayout.init(c, 1);
        Parameters grads = params.zerosLike();
        Batch batch = GradientProbe.randomBatch(c, preset.batch(), preset.steps(), 2);
        java.util.Map<Gemm.Shape, Integer> shapes = new java.util.LinkedHashMap<>();
        try (FastEngine engine = new FastEngine(c, solver, 1)) {
            engine.gemm().record(s -> shapes.merge(s, 1, Integer::sum));
            for (Method m : methods) engine.lossAndGradient(params, batch, m, grads);
        }
        return shapes;
    }

    /** m, v, θ updated like Adam (β 0.9/0.999, lr 1e-3); a stand-in for the optimizer's memory traffic and arithmetic. */
    private static void adamShapedPass(Parameters params, Parameters grads, Parameters m, Parameters v) {
        for (Tensor t : params) {
            if (!t.trainable()) continue;
            float[] p = t.data(), g = grads.data(t.name()), mm = m.data(t.name()), vv = v.data(t.name());
            for (int i = 0; i < p.length; i++) {
                mm[i] = 0.9f * mm[i] + 0.1f * g[i];
                vv[i] = 0.999f * vv[i] + 0.001f * g[i] * g[i];
                p[i] -= 1e-3f * mm[i] / ((float) Math.sqrt(vv[i]) + 1e-8f);
            }
        }
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length == 0 ? 0 : (s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
    }
}
