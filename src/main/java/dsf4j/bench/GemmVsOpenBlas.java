package dsf4j.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dsf4j.engine.fast.Gemm;
import dsf4j.engine.fast.Parallel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * dsf4j's GEMM against OpenBLAS's sgemm (through PyTorch) on the benchmark's shapes, the two measured in
 * turns, product by product, so that both see the same machine. On a cloud VM the speed drifts by 10–35%
 * within minutes (the same jar's 1024³ NN at 1 thread: 108 and 170 GFLOP/s a minute apart, Zen 5,
 * 2026-12-02), and a sweep that timed every dsf4j cell and then every OpenBLAS cell, half an hour apart,
 * compared two machines.
 *
 * <p>For each product (shape, form, threads): a warm-up of both, then {@code rounds} rounds of one timed
 * window each, ordered A B, B A, A B … so that a drift that is linear over the round cancels; each round
 * gives the ratio dsf4j / OpenBLAS of its two throughputs (calls × FLOPs over the window, JMH's statistic),
 * and the product's figure is the median of those ratios. OpenBLAS runs in a Python process that
 * bench/run-pytorch.sh starts ({@code bench/openblas_gemm.py --serve}, which also names the shapes: one
 * list for this and the sweep), idle while dsf4j measures and the other way round.
 *
 * <p>The reference kernel follows this JVM's vectors: at 512 bits the one bench/run-pytorch.sh picks
 * (OpenBLAS's own, or its newest AVX-512 kernel where 0.3.21 misdetects the CPU), at 256 bits Haswell
 * (AVX2). 128-bit vectors have no OpenBLAS counterpart with FMA (its Nehalem kernel would flatter dsf4j);
 * their reference is the FMA peak (JMH FmaPeakBench).
 */
public final class GemmVsOpenBlas {

    private GemmVsOpenBlas() {}

    /**
     * One product's result: throughputs (GFLOP/s, medians over the rounds), the median and lowest per-round
     * ratio, and every round's ratio in the order measured (bench/cpu_table.py pools them over several runs).
     */
    public record Product(String mkn, String form, int threads, String openBlasCore, double dsf4jGflops, double openBlasGflops,
                          double medianRatio, double lowestRatio, double[] ratios) {
        public int rounds() {
            return ratios.length;
        }
    }

    /**
     * Measures every shape × {NN, NT, TN} × threadCounts, prints a table (or one JSON object per product,
     * {@code json}) to {@code out} as it goes, and returns the products.
     *
     * @param vectorBits this JVM's vector width: 512 or 256 (the reference kernel follows it)
     */
    public static List<Product> run(int vectorBits, int[] threadCounts, int rounds, double seconds, boolean json, PrintStream out) throws IOException, InterruptedException {
        if (rounds < 1 || !(seconds > 0)) throw new IllegalArgumentException("--vs-openblas: --rounds must be at least 1 and --seconds above 0");
        if (vectorBits != 512 && vectorBits != 256) {
            throw new IllegalArgumentException("--vs-openblas compares 512- or 256-bit vectors with OpenBLAS's kernels of that width; at "
                    + vectorBits + " bits the reference is the FMA peak: bench/measure-cpu.sh (JMH FmaPeakBench)");
        }
        Path script = Path.of("bench", "run-pytorch.sh");
        if (!Files.isRegularFile(script)) throw new IllegalArgumentException("--vs-openblas needs bench/run-pytorch.sh: run from the repository root");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "openblas_gemm.py", "--serve").redirectError(ProcessBuilder.Redirect.INHERIT);
        if (vectorBits == 256) pb.environment().put("PYTORCH_OPENBLAS_CORETYPE", "Haswell");
        Process python = pb.start();
        List<Product> results = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
             Writer requests = new java.io.OutputStreamWriter(python.getOutputStream(), StandardCharsets.UTF_8)) {
            String hello = in.readLine();
            if (hello == null) throw new IllegalArgumentException("OpenBLAS's side did not start (see its message above): install python3-torch and libopenblas0-openmp");
            JsonArray shapes = JsonParser.parseString(hello).getAsJsonObject().getAsJsonArray("shapes");
            OpenBlas openBlas = new OpenBlas(in, requests);
            if (!json) {
                out.printf("dsf4j / OpenBLAS, alternated product by product: %d rounds of %.1f s each side, median of the per-round ratios (lowest)%n", rounds, seconds);
                out.println("| M,K,N | form | threads | dsf4j GFLOP/s | OpenBLAS GFLOP/s (kernel) | dsf4j / OpenBLAS |");
                out.println("|---|---|---|---|---|---|");
            }
            Operands x = new Operands(shapes);
            for (int threads : threadCounts) {
                try (Parallel parallel = new Parallel(threads)) {
                    Gemm gemm = new Gemm(parallel);
                    x.warmUp(gemm, shapes);
                    for (var s : shapes) {
                        int m = s.getAsJsonArray().get(0).getAsInt(), k = s.getAsJsonArray().get(1).getAsInt(), n = s.getAsJsonArray().get(2).getAsInt();
                        for (String form : new String[] {"NN", "NT", "TN"}) {
                            Product p = duel(gemm, x, openBlas, form, m, k, n, threads, rounds, seconds);
                            results.add(p);
                            print(p, json, out);
                        }
                    }
                }
            }
        } finally {
            python.destroy();
            python.waitFor();
        }
        return results;
    }

    /** One product: warm both sides, then the rounds in alternating order. */
    private static Product duel(Gemm gemm, Operands x, OpenBlas openBlas, String form, int m, int k, int n, int threads, int rounds, double seconds) throws IOException {
        x.throughput(gemm, form, m, k, n, Math.min(seconds, 0.5));     // this product's JIT profile and caches, untimed
        openBlas.throughput(form, m, k, n, threads, Math.min(seconds, 0.5));
        double[] ours = new double[rounds], theirs = new double[rounds], ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                theirs[r] = openBlas.throughput(form, m, k, n, threads, seconds);
                ours[r] = x.throughput(gemm, form, m, k, n, seconds);
            } else {
                ours[r] = x.throughput(gemm, form, m, k, n, seconds);
                theirs[r] = openBlas.throughput(form, m, k, n, threads, seconds);
            }
            ratio[r] = ours[r] / theirs[r];
        }
        return new Product(m + "," + k + "," + n, form, threads, openBlas.core, StepBench.median(ours), StepBench.median(theirs), StepBench.median(ratio),
                Arrays.stream(ratio).min().orElseThrow(), ratio);
    }

    private static void print(Product p, boolean json, PrintStream out) {
        if (json) out.println(jsonLine(p));
        else out.printf("| %s | %s | %d | %.0f | %.0f (%s) | %.0f%% (%.0f%%) |%n", p.mkn(), p.form(), p.threads(), p.dsf4jGflops(),
                p.openBlasGflops(), p.openBlasCore(), 100 * p.medianRatio(), 100 * p.lowestRatio());
        out.flush();
    }

    /** One product as the JSON line bench/cpu_table.py reads (several runs' lines of one product are pooled there, round by round). */
    static String jsonLine(Product p) {
        JsonObject o = new JsonObject();
        o.addProperty("mkn", p.mkn());
        o.addProperty("form", p.form());
        o.addProperty("threads", p.threads());
        o.addProperty("core", p.openBlasCore());
        o.addProperty("dsf4j_gflops", Math.round(p.dsf4jGflops() * 10) / 10.0);
        o.addProperty("openblas_gflops", Math.round(p.openBlasGflops() * 10) / 10.0);
        o.addProperty("median_ratio", Math.round(p.medianRatio() * 1000) / 1000.0);
        o.addProperty("lowest_ratio", Math.round(p.lowestRatio() * 1000) / 1000.0);
        o.addProperty("rounds", p.rounds());
        JsonArray ratios = new JsonArray();
        for (double r : p.ratios()) ratios.add(Math.round(r * 1000) / 1000.0);
        o.add("ratios", ratios);
        return o.toString();
    }

    /** The Python side: one request line, one JSON answer. */
    private static final class OpenBlas {
        private final BufferedReader in;
        private final Writer requests;
        private String core;

        OpenBlas(BufferedReader in, Writer requests) {
            this.in = in;
            this.requests = requests;
        }

        double throughput(String form, int m, int k, int n, int threads, double seconds) throws IOException {
            requests.write(form + " " + m + " " + k + " " + n + " " + threads + " " + seconds + "\n");
            requests.flush();
            String line = in.readLine();
            if (line == null) throw new IllegalArgumentException("OpenBLAS's side stopped (see its message above)");
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            core = o.get("core").isJsonNull() ? "not OpenBLAS" : o.get("core").getAsString();
            return o.get("gflops").getAsDouble();
        }
    }

    /** dsf4j's side: operands as large as the largest shape needs (random, fixed seed), C overwritten by every call. */
    private static final class Operands {
        final float[] a, b, c;

        Operands(JsonArray shapes) {
            long mk = 0, kn = 0, mn = 0;
            for (var s : shapes) {
                long m = s.getAsJsonArray().get(0).getAsLong(), k = s.getAsJsonArray().get(1).getAsLong(), n = s.getAsJsonArray().get(2).getAsLong();
                mk = Math.max(mk, m * k);
                kn = Math.max(kn, k * n);
                mn = Math.max(mn, m * n);
            }
            Random rnd = new Random(1);
            a = new float[Math.toIntExact(mk)];
            b = new float[Math.toIntExact(kn)];
            c = new float[Math.toIntExact(mn)];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat();
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat();
        }

        /**
         * Every product for 0.3 s before any is timed: from a fresh JVM on 2 busy cores C2's kernel arrived
         * after 2–3 s (README), and a product taking a path the ones before had not (a split by rows, an
         * edge tile) sent the compiled code back to the compiler in the middle of its timed window
         * (-XX:+PrintCompilation: "made not entrant: uncommon trap"), which cost that product up to 90%.
         */
        void warmUp(Gemm gemm, JsonArray shapes) {
            for (var s : shapes) {
                int m = s.getAsJsonArray().get(0).getAsInt(), k = s.getAsJsonArray().get(1).getAsInt(), n = s.getAsJsonArray().get(2).getAsInt();
                for (String form : new String[] {"NN", "NT", "TN"}) throughput(gemm, form, m, k, n, 0.3);
            }
        }

        /** Calls × 2mnk over the window of {@code seconds}, in GFLOP/s (as JMH's throughput mode and openblas_gemm.py). */
        double throughput(Gemm gemm, String form, int m, int k, int n, double seconds) {
            long start = System.nanoTime(), end = start + (long) (seconds * 1e9), calls = 0, now;
            do {
                switch (form) {
                    case "NN" -> gemm.nn(m, n, k, a, 0, b, 0, c, 0, false);
                    case "NT" -> gemm.nt(m, n, k, a, 0, b, 0, c, 0, false);
                    case "TN" -> gemm.tn(m, n, k, a, 0, b, 0, c, 0, false);
                    default -> throw new IllegalArgumentException("form " + form);
                }
                calls++;
                now = System.nanoTime();
            } while (now < end);
            return calls * 2.0 * m * n * k / (now - start);
        }
    }
}
