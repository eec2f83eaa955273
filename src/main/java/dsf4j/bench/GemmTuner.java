package dsf4j.bench;

import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.engine.fast.CpuInfo;
import dsf4j.engine.fast.Gemm;
import dsf4j.engine.fast.GemmBlocking;
import dsf4j.engine.fast.GemmModel;
import dsf4j.engine.fast.Parallel;
import dsf4j.engine.fast.Simd;
import dsf4j.engine.fast.TunedBlocking;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code ./run.sh bench --tune gemm}: measures blockings around the model's ({@link GemmModel}) on the
 * GEMM calls of one real training step of the preset (recorded from the engine, replayed with each
 * blocking, weighted by how often each shape occurs), and stores the fastest for this machine
 * ({@link TunedBlocking}), which every later run then uses.
 *
 * <p>The search is one pass of coordinate descent from the model's blocking: the micro-tile (every
 * kernel that fits the registers, KC, NC, MC from the model), then KC (× 0.5, 0.75, 1.25, 1.5; NC from the
 * model), NC (× ¼, ½, ¾), MC (512 … 4096). A candidate replaces the incumbent only when it is at least
 * {@value #MIN_GAIN_PERCENT}% faster, so noise does not move the choice; at the end the model's and the
 * best blocking are measured again, alternately, and the best is kept only if it still wins by that margin.
 * About a minute per preset on 2 cores; run it on a quiet machine.
 */
public final class GemmTuner {

    private GemmTuner() {}

    static final int MIN_GAIN_PERCENT = 2;
    private static final long MIN_NANOS_PER_SHAPE = 40_000_000L;

    /** A blocking and its GFLOP/s over the step's GEMMs. */
    public record Trial(GemmBlocking blocking, double gflops) {}

    /** What the tuning found, and where it stored it. */
    public record Result(Trial model, Trial best, Path file, List<Trial> tried) {}

    /** Tunes on {@code preset}'s step for {@code methods} at {@code threads}, prints progress to {@code out}, writes the file. */
    public static Result tune(BenchPresets.Preset preset, List<Method> methods, DsfSolver solver, int threads, PrintStream out) throws IOException {
        return tune(preset, methods, solver, threads, out, MIN_NANOS_PER_SHAPE);
    }

    /** As above, timing each shape for at least {@code minNanosPerShape} (and 3 calls) per blocking. */
    static Result tune(BenchPresets.Preset preset, List<Method> methods, DsfSolver solver, int threads, PrintStream out,
                       long minNanosPerShape) throws IOException {
        CpuInfo cpu = CpuInfo.current();
        Map<Gemm.Shape, Integer> shapes = StepBench.gemmShapes(preset, methods, solver);
        out.printf(Locale.ROOT, "tuning the GEMM blocking on %d shapes (%d calls) of a %s step (%s), %d thread%s, %s vectors%n",
                shapes.size(), shapes.values().stream().mapToInt(Integer::intValue).sum(), preset.name(),
                String.join(",", methods.stream().map(Method::id).toList()), threads, threads == 1 ? "" : "s", Simd.describe());
        List<Trial> tried = new ArrayList<>();
        try (Parallel parallel = new Parallel(threads)) {
            Replay replay = new Replay(shapes, parallel, minNanosPerShape);
            GemmBlocking model = GemmModel.choose(cpu, Simd.L);
            replay.gflops(model);                                 // JIT warm-up
            Trial best = replay.trial(model, "model", out, tried);
            for (GemmBlocking c : tiles(cpu, model)) best = better(best, replay.trial(c, "micro-tile", out, tried));
            GemmBlocking inc = best.blocking();
            for (double f : new double[] {0.5, 0.75, 1.25, 1.5}) {
                int kc = Math.max(8, (int) Math.round(inc.kc() * f / 8) * 8);
                best = better(best, replay.trial(GemmModel.complete(cpu, Simd.L, new int[] {inc.mr(), kc, inc.mc(), 0}), "kc", out, tried));
            }
            inc = best.blocking();
            for (int nc : new int[] {inc.nc() / 4, inc.nc() / 2, inc.nc() * 3 / 4}) {
                if (nc >= inc.nr()) best = better(best, replay.trial(inc.withNc(nc), "nc", out, tried));
            }
            inc = best.blocking();
            for (int mc : new int[] {512, 1024, 2048, 4096}) {
                if (mc != inc.mc() && mc >= inc.mr()) best = better(best, replay.trial(inc.withMc(mc), "mc", out, tried));
            }
            Trial m = new Trial(model, 0), b = new Trial(best.blocking(), 0);
            if (!best.blocking().equals(model)) {             // again, alternately: the winner must hold its margin
                for (int round = 0; round < 2; round++) {
                    m = new Trial(model, Math.max(m.gflops(), replay.gflops(model)));
                    b = new Trial(b.blocking(), Math.max(b.gflops(), replay.gflops(b.blocking())));
                }
                if (b.gflops() < m.gflops() * (1 + MIN_GAIN_PERCENT / 100.0)) b = new Trial(model, m.gflops());
            } else {
                m = b = best;
            }
            String key = TunedBlocking.key(cpu, Simd.BITS);
            Path file = TunedBlocking.file(key);
            TunedBlocking.write(file, key, b.blocking(), List.of(
                    "dsf4j GEMM blocking, written by ./run.sh bench --tune gemm on " + Instant.now().truncatedTo(ChronoUnit.SECONDS),
                    cpu.describe(),
                    String.format(Locale.ROOT, "%s step (%s), threads %d, %s vectors: model %s %.1f GFLOP/s, chosen %.1f GFLOP/s",
                            preset.name(), String.join(",", methods.stream().map(Method::id).toList()), threads, Simd.describe(),
                            model, m.gflops(), b.gflops()),
                    "delete this file, or run with -Ddsf4j.gemm=model, to use the model's blocking"));
            out.printf(Locale.ROOT, "model %s: %.1f GFLOP/s; chosen %s: %.1f GFLOP/s (%+.1f%%)%nstored in %s; runs on this machine use it from now on (-Ddsf4j.gemm=model ignores it)%n",
                    model, m.gflops(), b.blocking(), b.gflops(), 100 * (b.gflops() / m.gflops() - 1), file);
            return new Result(m, b, file, tried);
        }
    }

    /** The other micro-tiles that fit the registers, each with the model's KC, MC, NC for it. */
    static List<GemmBlocking> tiles(CpuInfo cpu, GemmBlocking model) {
        Set<GemmBlocking> out = new LinkedHashSet<>();
        for (int r : GemmModel.kernelRows()) {
            if (r != model.mr() && 2 * r + 3 <= cpu.vectorRegisters()) out.add(GemmModel.complete(cpu, Simd.L, new int[] {r, 0, 0, 0}));
        }
        return new ArrayList<>(out);
    }

    private static Trial better(Trial incumbent, Trial candidate) {
        return candidate.gflops() >= incumbent.gflops() * (1 + MIN_GAIN_PERCENT / 100.0) ? candidate : incumbent;
    }

    /** The recorded shapes on random data, timed with any blocking. */
    private static final class Replay {
        private final Map<Gemm.Shape, Integer> shapes;
        private final Parallel parallel;
        private final float[] a, b, c;
        private final long minNanos;

        Replay(Map<Gemm.Shape, Integer> shapes, Parallel parallel, long minNanos) {
            this.shapes = shapes;
            this.parallel = parallel;
            this.minNanos = minNanos;
            long na = 1, nb = 1, nc = 1;
            for (Gemm.Shape s : shapes.keySet()) {
                na = Math.max(na, (long) s.m() * s.k());
                nb = Math.max(nb, (long) s.k() * s.n());
                nc = Math.max(nc, (long) s.m() * s.n());
            }
            Random r = new Random(1);
            a = random(r, na);
            b = random(r, nb);
            c = new float[Math.toIntExact(nc)];
        }

        private static float[] random(Random r, long n) {
            float[] x = new float[Math.toIntExact(n)];
            for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() - 0.5f;
            return x;
        }

        Trial trial(GemmBlocking blocking, String what, PrintStream out, List<Trial> tried) {
            Trial t = new Trial(blocking, gflops(blocking));
            tried.add(t);
            out.printf(Locale.ROOT, "  %-30s %7.1f GFLOP/s  (%s)%n", blocking, t.gflops(), what);
            return t;
        }

        /**
         * Σ count·flops / Σ count·(fastest call), every shape called once first (packing buffers, the JIT).
         * A shape whose B the engine packs once for many calls (W_hh's per-step products) has its B packed
         * here once, outside the timing, as training does.
         */
        double gflops(GemmBlocking blocking) {
            Gemm g = new Gemm(parallel, blocking);
            Map<Gemm.Shape, Gemm.PackedB> packed = new java.util.HashMap<>();
            for (Gemm.Shape s : shapes.keySet()) {
                if (s.packedB()) packed.put(s, g.pack(s.transB(), s.k(), s.n(), b, 0, ldb(s), new Gemm.PackedB(0)));
                call(g, s, packed.get(s));
            }
            double flops = 0, nanos = 0;
            for (Map.Entry<Gemm.Shape, Integer> e : shapes.entrySet()) {
                Gemm.Shape s = e.getKey();
                long best = Long.MAX_VALUE, spent = 0;
                for (int rep = 0; rep < 3 || spent < minNanos; rep++) {
                    long t0 = System.nanoTime();
                    call(g, s, packed.get(s));
                    long t = System.nanoTime() - t0;
                    best = Math.min(best, t);
                    spent += t;
                }
                flops += e.getValue() * 2.0 * s.m() * s.n() * s.k();
                nanos += e.getValue() * (double) best;
            }
            return flops / nanos;
        }

        /** One call of shape s; packedB: its B packed beforehand (null when the engine packs B in the call). */
        private void call(Gemm g, Gemm.Shape s, Gemm.PackedB packedB) {
            int lda = s.transA() ? s.m() : s.k();
            if (packedB != null) g.multiply(s.accumulate(), s.transA(), s.m(), a, 0, lda, packedB, c, 0, s.n());
            else g.multiply(s.accumulate(), s.transA(), s.transB(), s.m(), s.n(), s.k(), a, 0, lda, b, 0, ldb(s), c, 0, s.n());
        }

        private static int ldb(Gemm.Shape s) {
            return s.transB() ? s.k() : s.n();
        }
    }
}
