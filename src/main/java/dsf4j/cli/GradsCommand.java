package dsf4j.cli;

import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.data.Split;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.engine.GradientAgreement;
import dsf4j.engine.GradientProbe;
import dsf4j.engine.fast.Parallel;
import dsf4j.io.GradsFile;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dsf4j grads}: one model, one batch, every method's loss and gradient in one safetensors file. */
@Command(name = "grads", mixinStandardHelpOptions = true,
        description = "Write a model, a random batch and the loss and gradient of each method to a safetensors file.")
final class GradsCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model = new ModelOptions();
    @Mixin
    OfflineOption net = new OfflineOption();

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

    @Option(names = "--checkpoint", description = "take the model and weights from this dsf4j train checkpoint, and the batch from "
            + "the start of its run's validation split (--batch sequences), instead of the model flags, --seed and a random batch")
    Path checkpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || seq < 1) throw new IllegalArgumentException("--batch and --seq must be at least 1");
        Checkpoint ckpt = checkpoint == null ? null : Checkpoint.load(checkpoint);
        if (ckpt != null) {
            for (String flag : List.of("--cell", "--block", "--layers", "--hidden", "--vocab", "--pad-id", "--lambda-init", "--seed", "--seq")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                    throw new IllegalArgumentException(flag + " cannot be combined with --checkpoint, which gives the model, weights and data: drop one of them");
                }
            }
        }
        ModelConfig config = ckpt != null ? ckpt.model() : model.toConfig();
        DsfSolver dsfSolver = DsfSolver.parse(solver);
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("engine", engine);
        extra.put("dsf_solver", dsfSolver.id());
        if (ckpt != null) extra.put("checkpoint", checkpoint.toString());
        else extra.put("seed", Long.toString(seed));
        extra.put("dsf4j_version", Version.get());
        if (threads < 0) throw new IllegalArgumentException("--threads must be 0 (all cores) or more");
        Parameters params = ckpt != null ? ckpt.params() : ParamLayout.init(config, seed);
        Batch b = ckpt != null ? firstValidationBatch(ckpt) : GradientProbe.randomBatch(config, batch, seq, seed);
        GradsFile file;
        if (engine.equals("reference")) {   // every number a double computation
            file = GradientProbe.run(config, params, b, Choices.methods(methods), dsfSolver, null, extra);
        } else {
            extra.put("tf32", Boolean.toString(tf32));
            try (Engine e = Engines.create(engine, config, dsfSolver, threads == 0 ? Parallel.defaultThreads() : threads, tf32)) {
                file = GradientProbe.run(config, params, b, Choices.methods(methods), dsfSolver, e, extra);
            }
        }
        file.write(out);
        System.out.printf("wrote %s: %s %s, %d layers × %d, B=%d T=%d%n", out, config.cell().id(), config.block().id(),
                config.layers(), config.hidden(), b.batch(), b.steps());
        file.losses().forEach((m, l) -> System.out.printf("  loss/%-7s %.10f%n", m.id(), l));
        if (file.losses().containsKey(Method.BPTT) && file.losses().size() > 1) printAgreement(file);
        return 0;
    }

    /** The first {@code --batch} sequences of the checkpoint's validation split. */
    private Batch firstValidationBatch(Checkpoint c) {
        List<Batch> valid = CheckpointData.open(c, net.offline).batches(Split.VALID, batch);
        if (valid.isEmpty()) throw new IllegalArgumentException("the validation split of " + c.train().data() + " gives no batch of " + batch + ": lower --batch");
        return valid.getFirst();
    }

    /** Cosine and norm ratio of each approximate gradient against BPTT's, per group, top down. */
    private static void printAgreement(GradsFile file) {
        List<GradientAgreement> rows = GradientAgreement.of(file);
        List<Method> approx = file.methods().stream().filter(m -> m != Method.BPTT).toList();
        StringBuilder head = new StringBuilder(String.format("%nagreement with bptt (cosine, norm ratio):%n  %-12s", "group"));
        for (Method m : approx) head.append(String.format("  %-17s", m.id()));
        System.out.println(head);
        for (String group : rows.stream().map(GradientAgreement::group).distinct().toList()) {
            StringBuilder line = new StringBuilder(String.format("  %-12s", group));
            for (Method m : approx) {
                GradientAgreement a = rows.stream().filter(r -> r.group().equals(group) && r.method() == m).findFirst().orElseThrow();
                line.append(String.format(Locale.ROOT, "  %7.4f  %7.3f", a.cosine(), a.normRatio()));
            }
            System.out.println(line);
        }
    }
}
