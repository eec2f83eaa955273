package dsf4j.cli;

import dsf4j.config.DsfSolver;
import dsf4j.config.ModelConfig;
import dsf4j.engine.GradientProbe;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.engine.fast.Parallel;
import dsf4j.io.GradsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dsf4j grads}: one model, one batch, every method's loss and gradient in one safetensors file. */
@Command(name = "grads", mixinStandardHelpOptions = true,
        description = "Write a model, a random batch and the loss and gradient of each method to a safetensors file.")
final class GradsCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--batch", defaultValue = "3", description = "batch size B (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seq", defaultValue = "7", description = "sequence length T (default: ${DEFAULT-VALUE})")
    int seq;

    @Option(names = "--seed", defaultValue = "1", description = "seeds the weights and the batch (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--method", defaultValue = "bptt,ftbptt,dsf", description = "methods to include (default: ${DEFAULT-VALUE})")
    String methods;

    @Option(names = "--dsf-solver", defaultValue = "scan", description = "scan, prefix or fft (default: ${DEFAULT-VALUE})")
    String solver;

    @Option(names = "--engine", defaultValue = "reference",
            description = "reference (double precision), fast (float32, Vector API) or cuda (default: ${DEFAULT-VALUE})")
    String engine;

    @Option(names = "--threads", defaultValue = "0", description = "fast engine workers, 0 = all cores (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--tf32", arity = "1", defaultValue = "false", paramLabel = "true|false",
            description = "cuda: TF32 tensor-core GEMMs (default: ${DEFAULT-VALUE}, exact float32)")
    boolean tf32;

    @Option(names = "--out", required = true, description = "the .safetensors file to write")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || seq < 1) throw new IllegalArgumentException("--batch and --seq must be at least 1");
        ModelConfig config = model.toConfig();
        DsfSolver dsfSolver = DsfSolver.parse(solver);
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("engine", engine);
        extra.put("dsf_solver", dsfSolver.id());
        extra.put("seed", Long.toString(seed));
        extra.put("dsf4j_version", Version.get());
        if (threads < 0) throw new IllegalArgumentException("--threads must be 0 (all cores) or more");
        GradsFile file;
        if (engine.equals("reference")) {   // every number a double computation
            file = GradientProbe.run(config, seed, batch, seq, Choices.methods(methods), dsfSolver, null, extra);
        } else {
            extra.put("tf32", Boolean.toString(tf32));
            try (Engine e = Engines.create(engine, config, dsfSolver, threads == 0 ? Parallel.defaultThreads() : threads, tf32)) {
                file = GradientProbe.run(config, seed, batch, seq, Choices.methods(methods), dsfSolver, e, extra);
            }
        }
        file.write(out);
        System.out.printf("wrote %s: %s %s, %d layers × %d, B=%d T=%d%n", out, config.cell().id(), config.block().id(),
                config.layers(), config.hidden(), batch, seq);
        file.losses().forEach((m, l) -> System.out.printf("  loss/%-7s %.10f%n", m.id(), l));
        return 0;
    }
}
