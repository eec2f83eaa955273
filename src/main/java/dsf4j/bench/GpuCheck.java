package dsf4j.bench;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.DeviceTrainer;
import dsf4j.engine.GradientProbe;
import dsf4j.engine.cuda.CudaEngine;
import dsf4j.engine.cuda.CudaRuntime;
import dsf4j.engine.cuda.CudaUnavailableException;
import dsf4j.engine.reference.ReferenceEngine;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.ParamNames;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import dsf4j.train.Adam;
import dsf4j.train.GradClip;
import dsf4j.train.OptimizerKind;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a GPU session runs (bench/gpu-check.sh): (1) the device and libraries, (2) the cuda engine's
 * loss and gradients against the reference engine for every cell × block × method, TF32 off and on,
 * (3) the median training step (forward, backward, Adam; device-resident) of each method on the
 * benchmark presets, with a per-phase split. JSON lines go to {@code --out FILE}, a table to stdout.
 * The JUnit GPU test calls {@link #compare} too.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp dsf4j.jar \
 *      dsf4j.bench.GpuCheck [--out results.jsonl] [--skip-grads] [--skip-timing] [--steps 20] [--presets a,b]
 * </pre>
 */
public final class GpuCheck {

    /** Relative-error bounds of the issue: exact float32, and TF32 tensor-core GEMMs. */
    public static final double TOLERANCE_FP32 = 1e-5, TOLERANCE_TF32 = 2e-3;

    /** A benchmark shape: the same names and shapes as bench/pytorch_baseline.py's presets. */
    record Preset(String name, CellType cell, BlockType block, int layers, int hidden, int vocab, int seq, int batch) {
        ModelConfig config() {
            return new ModelConfig(cell, block, layers, hidden, vocab, 0, LambdaInit.parse("linspace:0:1"));
        }
    }

    static final List<Preset> PRESETS = List.of(
            new Preset("ptb-gru-3l256", CellType.GRU, BlockType.RESIDUAL, 3, 256, 10002, 64, 128),
            new Preset("wt103-gru-3l512", CellType.GRU, BlockType.TRANSFORMER, 3, 512, 16000, 255, 128),
            new Preset("wt103-gru-3l512-t1024", CellType.GRU, BlockType.TRANSFORMER, 3, 512, 16000, 1024, 128));

    /** One comparison: the loss's relative error and the worst tensor's. */
    public record Comparison(double lossError, double gradError, String worstTensor) {}

    private GpuCheck() {}

    /**
     * The cuda engine against the reference engine on one seeded model and batch (the {@code grads}
     * command's): ‖a − b‖ / max(‖a‖, ‖b‖) per tensor, the worst of them.
     */
    public static Comparison compare(ModelConfig config, Method method, boolean tf32, int batch, int steps, long seed) {
        Parameters params = ParamLayout.init(config, seed);
        Batch b = GradientProbe.randomBatch(config, batch, steps, seed);
        Parameters ref = params.zerosLike(), gpu = params.zerosLike();
        double refLoss, gpuLoss;
        try (ReferenceEngine r = new ReferenceEngine(config, DsfSolver.SCAN)) {
            refLoss = r.lossAndGradient(params, b, method, ref);
        }
        try (CudaEngine c = new CudaEngine(config, DsfSolver.SCAN, tf32)) {
            gpuLoss = c.lossAndGradient(params, b, method, gpu);
        }
        double worst = 0;
        String worstName = "";
        for (Tensor t : ref) {
            if (!t.trainable()) continue;
            double e = relativeError(t.data(), gpu.data(t.name()));
            if (!(e <= worst)) {   // NaN counts as worst
                worst = e;
                worstName = t.name();
            }
        }
        return new Comparison(Math.abs(gpuLoss - refLoss) / Math.max(Math.abs(refLoss), 1e-30), worst, worstName);
    }

    static double relativeError(float[] a, float[] b) {
        double diff = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            diff += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        double scale = Math.sqrt(Math.max(na, nb));
        return scale == 0 ? 0 : Math.sqrt(diff) / scale;
    }

    public static void main(String[] args) throws IOException {
        Locale.setDefault(Locale.ROOT);
        Path out = null;
        boolean grads = true, timing = true, quick = false;
        int steps = 20;
        List<String> presets = PRESETS.stream().map(Preset::name).toList();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--skip-grads" -> grads = false;
                case "--skip-timing" -> timing = false;
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--presets" -> presets = Arrays.asList(args[++i].split(","));
                case "--quick" -> quick = true;
                default -> {
                    System.err.println("gpu-check: unknown argument " + args[i] + ": use --out, --skip-grads, --skip-timing, --quick, --steps, --presets");
                    System.exit(2);
                }
            }
        }
        PrintStream o = System.out;
        JsonLines json = new JsonLines(out);
        CudaRuntime rt;
        try {
            rt = CudaRuntime.get();
        } catch (CudaUnavailableException e) {
            System.err.println("gpu-check: " + e.getMessage());
            System.exit(2);
            return;
        }
        o.println(rt.describe());
        CudaRuntime.Info i = rt.info();
        json.add(String.format("{\"kind\":\"device\",\"name\":\"%s\",\"cc\":\"%d.%d\",\"sms\":%d,\"driver\":%d,\"nvrtc\":\"%s\",\"libcuda\":\"%s\",\"nvrtc_lib\":\"%s\",\"cublas_lib\":\"%s\"}",
                i.deviceName(), i.ccMajor(), i.ccMinor(), i.multiprocessors(), i.driverVersion(), i.nvrtcVersion(), i.libcudaPath(), i.nvrtcPath(), i.cublasPath()));
        int failures = 0;
        if (grads) {
            failures += checkGradients(o, json, quick);
            failures += checkTraining(o, json, quick);
        }
        if (timing) {
            for (String name : presets) {
                Preset p = PRESETS.stream().filter(x -> x.name().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("unknown preset " + name));
                try {
                    timePreset(p, steps, o, json);
                } catch (RuntimeException e) {
                    o.println("time: " + p.name() + " ERROR " + e);
                    json.add("{\"kind\":\"step\",\"preset\":\"" + p.name() + "\",\"error\":\"" + e.toString().replace("\"", "'").replace("\\", "/") + "\"}");
                    failures++;
                }
            }
        }
        o.println(failures == 0 ? "gpu-check: no failures" : "gpu-check: " + failures + " checks FAILED");
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Every cell × block × method, TF32 off and on, two sizes (quick: TF32 off, the small size); one line each. */
    static int checkGradients(PrintStream o, JsonLines json, boolean quick) {
        int failures = 0;
        o.println("grads: cell block method tf32 size | loss rel.err | worst grad rel.err (tensor) | bound | verdict");
        int[][] sizes = quick ? new int[][] {{8, 2, 3, 7}} : new int[][] {{8, 2, 3, 7}, {64, 2, 5, 33}};   // hidden, layers, batch, steps
        for (boolean tf32 : quick ? new boolean[] {false} : new boolean[] {false, true}) {
            double bound = tf32 ? TOLERANCE_TF32 : TOLERANCE_FP32;
            for (CellType cell : CellType.values()) {
                for (BlockType block : BlockType.values()) {
                    for (Method m : Method.values()) {
                        for (int[] s : sizes) {
                            ModelConfig c = new ModelConfig(cell, block, s[1], s[0], 11, 0, LambdaInit.parse("linspace:0:1"));
                            String verdict;
                            Comparison r = null;
                            try {
                                r = compare(c, m, tf32, s[2], s[3], 1);
                                boolean ok = r.gradError() < bound && r.lossError() < bound;
                                verdict = ok ? "pass" : "FAIL";
                                if (!ok) failures++;
                            } catch (RuntimeException e) {
                                verdict = "ERROR " + e;
                                failures++;
                            }
                            String size = "H" + s[0] + " L" + s[1] + " B" + s[2] + " T" + s[3];
                            o.printf("grads: %-4s %-11s %-6s %-5s %-15s | %.2e | %.2e (%s) | %.0e | %s%n", cell.id(), block.id(), m.id(), tf32, size,
                                    r == null ? Double.NaN : r.lossError(), r == null ? Double.NaN : r.gradError(), r == null ? "" : r.worstTensor(), bound, verdict);
                            json.add(String.format("{\"kind\":\"grads\",\"cell\":\"%s\",\"block\":\"%s\",\"method\":\"%s\",\"tf32\":%s,\"size\":\"%s\",\"loss_err\":%s,\"grad_err\":%s,\"worst\":\"%s\",\"verdict\":\"%s\"}",
                                    cell.id(), block.id(), m.id(), tf32, size, r == null ? "null" : num(r.lossError()), r == null ? "null" : num(r.gradError()),
                                    r == null ? "" : r.worstTensor(), verdict.startsWith("ERROR") ? "error" : verdict.toLowerCase(Locale.ROOT)));
                        }
                    }
                }
            }
        }
        return failures;
    }

    /** The worst relative error of a comparison, and where. */
    public record Worst(double error, String where) {
        static final Worst NONE = new Worst(0, "");

        Worst max(double e, String w) {
            return e <= error ? this : new Worst(e, w);   // NaN counts as worst
        }

        Worst max(Worst o) {
            return max(o.error, o.where);
        }
    }

    /**
     * The device-resident trainer against the trainer's host loop — reference gradients,
     * {@link GradClip#clip}, {@link Adam#step} — over {@code steps} updates with learning rate 1e-2 on
     * a seeded random batch each, exact float32 GEMMs: the worst relative error of the losses, the
     * gradient norms, the weights and Adam's moments.
     *
     * @param clip a limit the gradient norm exceeds (so clipping acts), or 0
     */
    public static Worst compareTraining(ModelConfig c, Method method, OptimizerKind kind, double weightDecay, double clip, int steps, long seed) {
        double lr = 1e-2;
        Parameters host = ParamLayout.init(c, seed), device = host.copy();
        Adam adam = new Adam(host, kind, weightDecay);
        Parameters g = host.zerosLike();
        Worst worst = Worst.NONE;
        try (ReferenceEngine ref = new ReferenceEngine(c, DsfSolver.SCAN);
             CudaEngine gpu = new CudaEngine(c, DsfSolver.SCAN, false);
             DeviceTrainer tr = gpu.deviceTrainer(device, DeviceTrainer.Settings.of(kind == OptimizerKind.ADAMW, weightDecay, clip)).orElseThrow()) {
            for (int k = 0; k < steps; k++) {
                Batch b = GradientProbe.randomBatch(c, 3, 5 + 2 * k, seed + k);   // a new shape each step
                double loss = ref.lossAndGradient(host, b, method, g);
                double norm = GradClip.clip(g, clip);
                adam.step(host, g, lr);
                DeviceTrainer.Update u = tr.step(b, method, lr, null);
                worst = worst.max(relative(u.loss(), loss), "loss at step " + (k + 1))
                        .max(relative(u.gradNorm(), norm), "gradient norm at step " + (k + 1));
            }
            Parameters m = adam.firstMoments().zerosLike(), v = adam.secondMoments().zerosLike();
            tr.copyTo(device, m, v);
            worst = worst.max(worstTensor(host, device, "weights"))
                    .max(worstTensor(adam.firstMoments(), m, "first moment"))
                    .max(worstTensor(adam.secondMoments(), v, "second moment"));
            if (tr.updates() != steps) worst = worst.max(Double.POSITIVE_INFINITY, tr.updates() + " updates counted, not " + steps);
        }
        return worst;
    }

    /**
     * Stream mode: two consecutive batches with the state carried from the first into the second, the
     * cuda engine (gradients and evaluate) against the reference engine: worst relative error of the
     * losses, the gradients and the carried states.
     */
    public static Worst compareCarried(ModelConfig c, Method method, long seed) {
        Parameters p = ParamLayout.init(c, seed);
        Worst worst = Worst.NONE;
        try (ReferenceEngine ref = new ReferenceEngine(c, DsfSolver.SCAN); CudaEngine gpu = new CudaEngine(c, DsfSolver.SCAN, false)) {
            int batch = 3;
            float[][] sr = new float[c.layers()][batch * c.stateSize()], sg = new float[c.layers()][batch * c.stateSize()];
            Parameters gr = p.zerosLike(), gg = p.zerosLike();
            for (int k = 0; k < 2; k++) {
                Batch b = GradientProbe.randomBatch(c, batch, 6, seed + k);
                worst = worst.max(relative(gpu.lossAndGradient(p, b, method, gg, sg), ref.lossAndGradient(p, b, method, gr, sr)), "loss of batch " + (k + 1))
                        .max(worstTensor(gr, gg, "gradient of batch " + (k + 1)));
                for (int l = 0; l < sr.length; l++) worst = worst.max(relativeError(sr[l], sg[l]), "state of layer " + l + " after batch " + (k + 1));
            }
            float[][] er = new float[c.layers()][batch * c.stateSize()], eg = new float[c.layers()][batch * c.stateSize()];
            for (int k = 0; k < 2; k++) {
                Batch b = GradientProbe.randomBatch(c, batch, 6, seed + 10 + k);
                worst = worst.max(relative(gpu.evaluate(p, b, eg).sum(), ref.evaluate(p, b, er).sum()), "evaluate of batch " + (k + 1));
            }
        }
        return worst;
    }

    /**
     * A weight that is NaN makes the loss NaN: the device trainer must leave the weights and moments
     * as they were and not count the update. The worst relative error of the weights after the step
     * (NaN where NaN was), or ∞ when the update was counted or reported applied.
     */
    public static Worst nonFiniteStepIsSkipped(ModelConfig c, long seed) {
        Parameters p = ParamLayout.init(c, seed);
        p.data(ParamNames.HEAD_WEIGHT)[0] = Float.NaN;
        Parameters after = p.copy();
        try (CudaEngine gpu = new CudaEngine(c, DsfSolver.SCAN, false);
             DeviceTrainer tr = gpu.deviceTrainer(p, DeviceTrainer.Settings.of(false, 0, 1)).orElseThrow()) {
            DeviceTrainer.Update u = tr.step(GradientProbe.randomBatch(c, 2, 4, seed), Method.DSF, 1e-2, null);
            if (u.applied() || tr.updates() != 0) return new Worst(Double.POSITIVE_INFINITY, "a NaN loss was applied (" + u + ", " + tr.updates() + " updates)");
            tr.copyTo(after, null, null);
        }
        p.data(ParamNames.HEAD_WEIGHT)[0] = 0;
        after.data(ParamNames.HEAD_WEIGHT)[0] = 0;
        return worstTensor(p, after, "weights");
    }

    /** The trainer, stream-mode and skipped-update checks of {@link #main}, on small models; one line each. */
    static int checkTraining(PrintStream o, JsonLines json, boolean quick) {
        o.println("train: check | worst rel.err (where) | bound | verdict");
        int failures = 0;
        LambdaInit lambda = LambdaInit.parse("linspace:0:1");
        ModelConfig gruTf = new ModelConfig(CellType.GRU, BlockType.TRANSFORMER, 2, 16, 13, 0, lambda);
        ModelConfig lstmRes = new ModelConfig(CellType.LSTM, BlockType.RESIDUAL, 2, 16, 13, 0, lambda);
        List<Map.Entry<String, java.util.function.Supplier<Worst>>> checks = new java.util.ArrayList<>(List.of(
                Map.entry("adam dsf gru transformer, clipped", () -> compareTraining(gruTf, Method.DSF, OptimizerKind.ADAM, 1e-4, 0.05, 3, 2)),
                Map.entry("adamw bptt lstm residual, clipped", () -> compareTraining(lstmRes, Method.BPTT, OptimizerKind.ADAMW, 0.1, 0.05, 3, 3)),
                Map.entry("adam ftbptt gru transformer", () -> compareTraining(gruTf, Method.FTBPTT, OptimizerKind.ADAM, 0, 0, 2, 4)),
                Map.entry("stream mode dsf lstm residual", () -> compareCarried(lstmRes, Method.DSF, 5)),
                Map.entry("stream mode bptt gru transformer", () -> compareCarried(gruTf, Method.BPTT, 6)),
                Map.entry("nan loss skips the update", () -> nonFiniteStepIsSkipped(lstmRes, 7))));
        if (quick) checks = checks.subList(0, 1);
        double bound = 1e-4;   // Adam divides by √v: float32 rounding of tiny gradients moves a few weights by ~lr
        for (var check : checks) {
            String verdict;
            Worst w = null;
            try {
                w = check.getValue().get();
                verdict = w.error() < bound ? "pass" : "FAIL";
            } catch (RuntimeException e) {
                verdict = "ERROR " + e;
            }
            if (!verdict.equals("pass")) failures++;
            o.printf("train: %-36s | %.2e (%s) | %.0e | %s%n", check.getKey(), w == null ? Double.NaN : w.error(), w == null ? "" : w.where(), bound, verdict);
            json.add(String.format("{\"kind\":\"train\",\"check\":\"%s\",\"error\":%s,\"where\":\"%s\",\"verdict\":\"%s\"}", check.getKey(),
                    w == null ? "null" : num(w.error()), w == null ? "" : w.where(), verdict.startsWith("ERROR") ? "error" : verdict.toLowerCase(Locale.ROOT)));
        }
        return failures;
    }

    private static double relative(double a, double b) {
        double scale = Math.max(Math.abs(a), Math.abs(b));
        return scale == 0 ? 0 : Math.abs(a - b) / scale;
    }

    /** The worst {@link #relativeError} over the tensors of {@code expected}, named "what of tensor". */
    private static Worst worstTensor(Parameters expected, Parameters got, String what) {
        Worst w = Worst.NONE;
        for (Tensor t : expected) w = w.max(relativeError(t.data(), got.data(t.name())), what + " of " + t.name());
        return w;
    }

    /** JSON lines appended to a file as they come, so a run cut short keeps what it measured. */
    static final class JsonLines {
        private final Path file;

        JsonLines(Path file) throws IOException {
            this.file = file;
            if (file != null) Files.writeString(file, "");
        }

        void add(String line) {
            if (file == null) return;
            try {
                Files.writeString(file, line + "\n", java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format("%.3e", v) : "null";
    }

    /** Median device-resident training step per method, TF32 on, plus the forward / backward / Adam split. */
    static void timePreset(Preset p, int steps, PrintStream o, JsonLines json) {
        ModelConfig c = p.config();
        Parameters params = ParamLayout.init(c, 1);
        Batch batch = GradientProbe.randomBatch(c, p.batch(), p.seq(), 7);
        long tokens = (long) p.batch() * p.seq();
        o.printf("time: %s (B %d, T %d, H %d, V %d, %d layers; workspace %.1f GiB)%n", p.name(), p.batch(), p.seq(), p.hidden(), p.vocab(), p.layers(),
                CudaEngine.workspaceBytes(c, p.batch(), p.seq()) / (double) (1L << 30));
        try (CudaEngine engine = new CudaEngine(c, DsfSolver.SCAN, true)) {
            for (Method m : Method.values()) {
                double[] ms = new double[steps];
                double loss = 0, firstMs;
                try (DeviceTrainer trainer = engine.deviceTrainer(params, DeviceTrainer.Settings.of(false, 0, 0)).orElseThrow()) {
                    long t0 = System.nanoTime();
                    trainer.step(batch, m, 1e-3, null);   // captures the graph
                    firstMs = (System.nanoTime() - t0) / 1e6;
                    for (int i = 0; i < 2; i++) trainer.step(batch, m, 1e-3, null);
                    for (int i = 0; i < steps; i++) {
                        long s = System.nanoTime();
                        loss = trainer.step(batch, m, 1e-3, null).loss();
                        ms[i] = (System.nanoTime() - s) / 1e6;
                    }
                }
                Arrays.sort(ms);
                double median = ms[steps / 2];
                float[] phases = engine.phaseTimes(params, batch, m, 10);   // after the trainer's memory is freed
                o.printf("time: %-22s %-6s step %8.2f ms (min %.2f) %10.0f tokens/s | forward %.2f, +backward %.2f, +adam %.2f ms | first step %.0f ms | loss %.4f%n",
                        p.name(), m.id(), median, ms[0], tokens / (median / 1e3), phases[0], phases[1] - phases[0], phases[2] - phases[1], firstMs, loss);
                json.add(String.format("{\"kind\":\"step\",\"preset\":\"%s\",\"method\":\"%s\",\"step_ms\":%.3f,\"min_ms\":%.3f,\"tokens_per_s\":%.1f,\"forward_ms\":%.3f,\"backward_ms\":%.3f,\"adam_ms\":%.3f,\"first_step_ms\":%.1f,\"batch\":%d,\"seq\":%d}",
                        p.name(), m.id(), median, ms[0], tokens / (median / 1e3), phases[0], phases[1] - phases[0], phases[2] - phases[1], firstMs, p.batch(), p.seq()));
            }
        }
    }
}
