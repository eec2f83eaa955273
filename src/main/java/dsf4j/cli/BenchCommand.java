package dsf4j.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dsf4j.bench.AllReduceBench;
import dsf4j.bench.BenchPresets;
import dsf4j.bench.ScalingModel;
import dsf4j.bench.GemmTuner;
import dsf4j.bench.GemmVsOpenBlas;
import dsf4j.bench.StepBench;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.engine.fast.CpuInfo;
import dsf4j.engine.fast.GemmChoice;
import dsf4j.engine.fast.Parallel;
import dsf4j.engine.fast.Simd;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dsf4j bench}: training-step throughput of the fast engine per method, with a breakdown. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time training steps of the fast engine: median tokens/s per method, where the time goes, GFLOP/s against the GEMM ceiling.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--preset", defaultValue = "ptb-gru-3l256", description = "model and batch shape: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})",
            completionCandidates = PresetNames.class)
    String preset;

    @Option(names = "--cell", description = "time the preset's shape with another cell: " + CellType.CHOICES)
    String cell;

    @Option(names = "--method", defaultValue = "bptt,ftbptt,dsf", description = "methods to time (default: ${DEFAULT-VALUE})")
    String methods;

    @Option(names = "--dsf-solver", defaultValue = "scan", description = "scan, prefix or fft (default: ${DEFAULT-VALUE})")
    String solver;

    @Option(names = "--lambda-update", paramLabel = "N", defaultValue = "0",
            description = "adaptive λ as train's --lambda-update: the λ update (one forward pass) is timed apart and 1/N of it added to each step (dsf, hybrid:K; default: ${DEFAULT-VALUE}, fixed λ)")
    int lambdaUpdate;

    @Option(names = "--steps", defaultValue = "20", description = "timed steps per method (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed steps first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--threads", defaultValue = "0", description = "workers, 0 = all cores (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--json", description = "print one JSON object instead of a table")
    boolean json;

    @Option(names = "--vs-pytorch", description = "also run bench/pytorch_baseline.py on the same preset and print dsf4j/PyTorch ratios")
    boolean vsPytorch;

    @Option(names = "--allreduce", description = "under mpirun: time the all-reduce of the preset's gradient between the processes, --steps times (bench/scaling.sh)")
    boolean allReduce;

    @Option(names = "--model-scaling", paramLabel = "PRESET=SECONDS[,…]",
            description = "print the modelled data-parallel efficiency over N machines from one machine's step times (bench/scaling.sh)")
    String modelScaling;
    /** The cells bench/pytorch_baseline.py has a torch.nn module for. */
    private static final java.util.Set<CellType> TORCH_CELLS = java.util.EnumSet.of(CellType.RNN, CellType.GRU, CellType.LSTM);
    @Option(names = "--tune", paramLabel = "gemm", description = "gemm: measure GEMM blockings around the cache model's on this preset's step "
            + "and store the fastest for this machine (~/.cache/dsf4j/gemm-<hash>.properties), which later runs use; then exit")
    String tune;

    @Option(names = "--vs-openblas", description = "time the GEMM against OpenBLAS's sgemm (PyTorch) on the benchmark's shapes, "
            + "the two alternated product by product (--rounds, --seconds; --threads 0: 1 and all cores), then exit")
    boolean vsOpenBlas;

    @Option(names = "--rounds", defaultValue = "3", description = "--vs-openblas: timed rounds per product (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--seconds", defaultValue = "1", description = "--vs-openblas: seconds per side and round (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--machine", description = "print the CPU's caches, the vector width and the GEMM blocking in use (and why), then exit")
    boolean machine;

    static final class PresetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return BenchPresets.names().iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1");
        if (warmup < 0) throw new IllegalArgumentException("--warmup must be 0 or more");
        if (threads < 0) throw new IllegalArgumentException("--threads must be 0 (all cores) or more");
        if (lambdaUpdate < 0) throw new IllegalArgumentException("--lambda-update must be ≥ 0 (0 = fixed λ; got " + lambdaUpdate + ")");
        if (allReduce) {
            AllReduceBench.run(preset, steps, System.out);
            return 0;
        }
        if (modelScaling != null) {
            ScalingModel.print(Choices.presetSeconds(modelScaling), System.out);
            return 0;
        }
        if (machine) {
            printMachine(GemmChoice.current());
            return 0;
        }
        if (vsOpenBlas) {
            int cores = Parallel.defaultThreads();
            int[] counts = threads != 0 ? new int[] {threads} : cores > 1 ? new int[] {1, cores} : new int[] {1};
            if (!json) printMachine(GemmChoice.current());
            GemmVsOpenBlas.run(Simd.SCALAR ? 0 : Simd.L * Float.SIZE, counts, rounds, seconds, json, System.out);
            return 0;
        }
        if (tune != null && !tune.equals("gemm")) throw new IllegalArgumentException("--tune " + tune + ": only --tune gemm exists");
        int workers = threads == 0 ? Parallel.defaultThreads() : threads;
        BenchPresets.Preset p = BenchPresets.get(preset);
        if (cell != null) p = p.withCell(CellType.parse(cell));
        if (vsPytorch && !TORCH_CELLS.contains(p.config().cell())) {
            throw new IllegalArgumentException("--vs-pytorch times torch.nn's RNN, GRU and LSTM, and torch.nn has no " + p.config().cell().id()
                    + ": drop --vs-pytorch or pick another --cell");
        }
        DsfSolver dsfSolver = DsfSolver.parse(solver);
        if (tune != null) {
            System.out.println("machine: " + CpuInfo.current().describe());
            GemmTuner.tune(p, Choices.methods(methods), dsfSolver, workers, System.out);
            return 0;
        }
        GemmChoice gemm = GemmChoice.current();
        StepBench.Ceiling ceiling = StepBench.gemmCeiling(p, workers);
        if (!json) {
            printMachine(gemm);
            System.out.printf("GEMM ceiling %.1f GFLOP/s, its fastest call (%.1f sustained over 1 s of calls; %d threads, this preset's projection and head shapes, measured now)%n",
                    ceiling.best(), ceiling.sustained(), workers);
        }
        List<StepBench.Result> results = new ArrayList<>();
        for (Method m : Choices.methods(methods)) {
            results.add(StepBench.run(p, m, dsfSolver, workers, warmup, steps, lambdaUpdate));
            if (!json) print(results.getLast(), ceiling);
        }
        Map<String, Double> torch = vsPytorch ? pytorch(p, workers) : Map.of();
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("preset", p.name());
            out.put("threads", workers);
            out.put("vector", Simd.describe());
            out.put("cpu", gemm.cpu().describe());
            out.put("l1d_bytes", gemm.cpu().l1d().bytes());
            out.put("l2_bytes", gemm.cpu().l2().bytes());
            out.put("l3_bytes", gemm.cpu().l3().bytes());
            out.put("gemm_blocking", gemm.blocking().toString());
            out.put("gemm_blocking_source", gemm.source());
            out.put("dsf_solver", dsfSolver.id());
            out.put("gemm_ceiling_gflops", ceiling.best());
            out.put("gemm_sustained_gflops", ceiling.sustained());
            out.put("results", results);
            if (vsPytorch) out.put("pytorch_tokens_per_s", torch);
            Gson gson = new GsonBuilder().setPrettyPrinting().create();
            System.out.println(gson.toJson(out));
        } else if (vsPytorch) {
            System.out.println("PyTorch (same machine, same run), tokens/s and dsf4j / PyTorch:");
            torch.forEach((k, v) -> System.out.printf("  %-22s %9.0f%n", k, v));
            for (StepBench.Result r : results) {
                for (Map.Entry<String, Double> e : torch.entrySet()) {
                    System.out.printf("  dsf4j %-7s / %-22s %5.2f×%n", r.method(), e.getKey(), r.tokensPerSecond() / e.getValue());
                }
            }
        }
        return 0;
    }

    private void print(StepBench.Result r, StepBench.Ceiling ceiling) {
        if (r == null) return;
        System.out.printf("%s %s  threads %d  %s  vectors %s%n", r.preset(), r.method(), r.threads(),
                r.method().startsWith("dsf") || r.method().startsWith("hybrid") ? "solver " + solver : "", Simd.describe());
        System.out.printf("  %8.0f tokens/s   step %.1f ms (%s of %d; a full batch: every one of its B·T targets is seen by the loss)%n",
                r.tokensPerSecond(), r.stepMs(), lambdaUpdate > 0 ? "median + the median λ update / " + lambdaUpdate + ", medians" : "median", steps);
        System.out.printf("  forward (embedding + blocks) %7.1f ms%n", r.forwardMs());
        System.out.printf("  head forward + backward      %7.1f ms%n", r.headMs());
        System.out.printf("  recurrent backward: δ + gates %6.1f ms  (%.1f%% of the step; DSF: solver + local gates, BPTT: the step loop)%n",
                r.recurrentDeltaMs(), 100 * r.recurrentDeltaMs() / r.stepMs());
        System.out.printf("  recurrent backward: GEMMs    %7.1f ms  (%.1f%%; dW_ih, dW_hh, dx, biases)%n", r.recurrentGemmMs(), 100 * r.recurrentGemmMs() / r.stepMs());
        System.out.printf("  other backward               %7.1f ms%n", r.otherBackwardMs());
        System.out.printf("  optimizer (Adam-shaped pass) %7.1f ms%n", r.optimizerMs());
        System.out.printf("  %.1f GFLOP per step, %.1f GFLOP/s = %.0f%% of the GEMM ceiling %.1f GFLOP/s (%.0f%% of its sustained %.1f)%n",
                r.gflopPerStep(), r.gflops(), 100 * r.gflops() / ceiling.best(), ceiling.best(), 100 * r.gflops() / ceiling.sustained(), ceiling.sustained());
    }

    /** Runs bench/run-pytorch.sh and returns tokens/s by "impl method". */
    private Map<String, Double> pytorch(BenchPresets.Preset p, int workers) throws Exception {
        Path script = Path.of("bench", "run-pytorch.sh");
        if (!Files.isRegularFile(script)) throw new IllegalArgumentException("--vs-pytorch needs bench/run-pytorch.sh: run from the repository root");
        var c = p.config();
        String shape = String.join(",", c.cell().id(), c.block().id(), Integer.toString(c.layers()), Integer.toString(c.hidden()),
                Integer.toString(c.vocab()), Integer.toString(p.steps()), Integer.toString(p.batch()));
        Process proc = new ProcessBuilder("bash", script.toString(), "--preset", p.name(), "--shape", shape, "--threads", Integer.toString(workers),
                "--steps", Integer.toString(steps)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, Double> out = new LinkedHashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("{")) continue;
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                out.put(o.get("impl").getAsString() + " " + o.get("method").getAsString(), o.get("tokens_per_s").getAsDouble());
            }
        }
        int rc = proc.waitFor();
        if (rc != 0) throw new IllegalArgumentException("the PyTorch baseline failed (exit " + rc + "): see its message above; install python3-torch and libopenblas0-openmp");
        return out;
    }

    /** The machine's caches, the vector width and the GEMM blocking in use, two lines: what makes any figure of bench readable. */
    private static void printMachine(GemmChoice g) {
        System.out.println("machine: " + g.cpu().describe());
        System.out.printf("vectors %s; %s%n", Simd.describe(), g.describe());
    }
}
