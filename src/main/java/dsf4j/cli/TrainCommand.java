package dsf4j.cli;

import dsf4j.collective.Collective;
import dsf4j.collective.DistributedMode;
import dsf4j.collective.JobFailure;
import dsf4j.collective.Launch;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.ModelConfig;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.data.Batching;
import dsf4j.data.DataMode;
import dsf4j.data.Dataset;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.train.Checkpoint;
import dsf4j.train.DataParallel;
import dsf4j.train.FaultPolicy;
import dsf4j.train.OptimizerKind;
import dsf4j.train.Presets;
import dsf4j.train.Provenance;
import dsf4j.train.StepDump;
import dsf4j.train.StopRequest;
import dsf4j.train.TrainConfig;
import dsf4j.train.TrainData;
import dsf4j.train.Trainer;
import dsf4j.train.TrainingHalted;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code dsf4j train}: a preset (the paper's configurations) with any flag overriding it, or
 * {@code --resume DIR} to continue a run from its last checkpoint.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a recurrent language model; writes best/last checkpoints, metrics.csv/.jsonl and a plot to --out.",
                "Presets: ptb-gru-{1,3}l{256,1024}; wt103-gru-{1,3,6,12}l512, wt103-gru-3l{128,256,1024}, wt103-rnn-3l512, wt103-lstm-3l512;",
                "the same shapes on WikiText-2 as wt2-…"})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", description = "starting configuration (default: " + Presets.DEFAULT + ")")
    String preset;
    @Option(names = "--data", description = "ptb, wikitext-2, wikitext-103 or a folder with train.txt, valid.txt, test.txt")
    String data;
    @Option(names = "--data-mode", description = "sentences (PTB as the authors), stream (batchify, state carried between batches), bpe-blocks (WikiText as the authors) or words")
    String dataMode;
    @Option(names = "--batching", description = "sentences: random (the authors': shuffled batches, each padded to its longest row) "
            + "or bucket[:N] (length buckets of N batches, default 50: about half the work per step, but batches are no longer uniform samples; README: Batching)")
    String batching;
    @Option(names = "--cell", description = CellType.CHOICES)
    String cell;
    @Option(names = "--block", description = "residual or transformer")
    String block;
    @Option(names = "--layers", description = "recurrent layers")
    Integer layers;
    @Option(names = "--hidden", description = "hidden units H")
    Integer hidden;
    @Option(names = "--method", description = Method.CHOICES)
    String method;
    @Option(names = "--lambda-init", description = "DSF's fixed λ: linspace:A:B, uniform:A:B or const:C")
    String lambdaInit;
    @Option(names = "--lambda-update", paramLabel = "N", description = "adaptive λ: every N steps set each layer's λ to the batch's mean Jacobian diagonal, "
            + "clamped to [0, --lambda-max] (dsf, hybrid:K; 0 = fixed, the default)")
    Integer lambdaUpdate;
    @Option(names = "--lambda-max", paramLabel = "X", description = "the upper end of the adaptive λ (default 1)")
    Double lambdaMax;
    @Option(names = "--log-alignment", paramLabel = "N", description = "every N steps, cosine and norm ratio of the method's gradient against BPTT's "
            + "per layer, into metrics.csv (extra backward passes on those steps, not counted in tokens/s; 0 = never)")
    Integer logAlignment;
    @Option(names = "--dsf-solver", description = "scan, prefix or fft")
    String dsfSolver;
    @Option(names = "--seq", description = "T, tokens per sequence")
    Integer seq;
    @Option(names = "--batch", description = "sequences per batch")
    Integer batch;
    @Option(names = "--epochs", description = "passes over the training split")
    Integer epochs;
    @Option(names = "--max-steps", description = "stop after this many steps (0 = no limit)")
    Long maxSteps;
    @Option(names = "--lr", description = "peak learning rate")
    Double lr;
    @Option(names = "--optimizer", description = "adam (coupled L2, as the authors) or adamw")
    String optimizer;
    @Option(names = "--weight-decay", description = "L2 (adam) or decoupled decay (adamw)")
    Double weightDecay;
    @Option(names = "--schedule", description = "const, step:EPOCHS[:FACTOR] (step:10,20:0.1) or cosine[:WARMUP:FLOOR] (cosine:0.1:0.1)")
    String schedule;
    @Option(names = "--clip", description = "global gradient-norm limit (0 = none)")
    Double clip;
    @Option(names = "--seed", description = "seeds the weights and the batch order")
    Long seed;
    @Option(names = "--threads", description = "worker threads of the fast engine")
    Integer threads;
    @Option(names = "--eval-every", description = "steps between validations (0 = 50 per run)")
    Integer evalEvery;
    @Option(names = "--engine", description = "reference, fast or cuda")
    String engine;

    @Option(names = "--tf32", arity = "1", defaultValue = "true", paramLabel = "true|false",
            description = "cuda: GEMMs on TF32 tensor cores, as the paper (default: ${DEFAULT-VALUE}); false for exact float32")
    boolean tf32;
    @Option(names = "--out", description = "run folder (default: runs/<preset>-<method>-<time>)")
    Path out;
    @Option(names = "--resume", description = "continue the run in this folder (or from this checkpoint file)")
    Path resume;
    @Option(names = "--dump-steps", paramLabel = "K",
            description = "also write OUT/steps.safetensors once step K is done: the initial weights, the first K batches, each step's lr, loss, gradient norm "
                    + "and weights, for bench/pytorch_equivalence.py (README: Step-for-step equality with PyTorch); the run itself is unchanged")
    Integer dumpSteps;
    @Option(names = "--dump-weights", paramLabel = "every|last",
            description = "with --dump-steps: keep the weights after every step (default), or after step K only (large models)")
    String dumpWeights;
    @Option(names = "--on-nan", defaultValue = "stop",
            description = "a NaN or infinite loss or gradient norm: stop (keeping the last good checkpoint) or skip that update and count it (default: ${DEFAULT-VALUE})")
    String onNan;
    @Option(names = "--on-save-error", defaultValue = "stop",
            description = "a checkpoint that cannot be written (disk full): stop, or continue and retry at the next checkpoint (default: ${DEFAULT-VALUE})")
    String onSaveError;
    @Option(names = "--distributed", defaultValue = "auto", paramLabel = "auto|off|mpi",
            description = "auto: data parallel over the processes of mpirun or srun when one started this one; off: one process; mpi: MPI required (default: ${DEFAULT-VALUE})")
    String distributed;
    @Option(names = "--check-sync", defaultValue = "0", paramLabel = "N",
            description = "data parallel: check every N steps that every process holds the same weights, as well as before each checkpoint (default: ${DEFAULT-VALUE}: only then)")
    long checkSync;
    @Mixin
    OfflineOption net = new OfflineOption();

    /**
     * One process, or one of an MPI job's (then, after MPI is initialised: a failure every process
     * shares is reported once, by rank 0; one this process alone has is reported with its rank and ends
     * the job, since the others may be waiting for it).
     */
    @Override
    public Integer call() throws Exception {
        Collective world;
        try {
            world = DistributedMode.parse(distributed).open();
        } catch (IllegalArgumentException e) {   // before MPI: every process of a launch has it; rank 0 says it
            int rank = Launch.rankOrZero(System.getenv());
            if (rank == 0) throw e;
            return Errors.late(rank, Errors.oneLine(e.getMessage()), Errors.BAD_INPUT, stderr());
        }
        DataParallel parallel = DataParallel.over(world);
        try {
            return train(parallel);
        } catch (JobFailure shared) {
            return endTogether(shared, world);
        } catch (TrainingHalted h) {
            if (!parallel.launched()) throw h;
            return endTogether(new JobFailure(h, parallel.leader(), "", Errors.FAILED), world);   // every process stopped at the same step
        } catch (Exception | Error alone) {
            if (!parallel.launched()) throw alone;
            world.abort(Errors.report(new JobFailure(alone, true, parallel.leader() ? "" : "rank " + parallel.rank() + " of " + parallel.size() + ": ",
                    Errors.status(alone)), stderr(), debug()));
            throw alone;   // not reached: abort() ends every process
        } finally {
            world.close();   // not reached after abort()
        }
    }

    /**
     * A failure every process of the job has: reported (by those that report it) before any process
     * leaves, since the launcher ends the whole job, output and all, when the first one exits with an error.
     */
    private int endTogether(JobFailure failure, Collective world) {
        int status = Errors.report(failure, stderr(), debug());
        world.barrier();
        return status;
    }

    private static PrintWriter stderr() {
        return new PrintWriter(System.err, true, System.err.charset());
    }

    private boolean debug() {
        return Errors.debug(spec.root().commandLine().getParseResult());
    }

    private Integer train(DataParallel parallel) throws Exception {
        Setup s;
        try {
            s = setUp(parallel);
        } catch (RuntimeException | Error e) {
            if (!parallel.launched()) throw e;
            throw parallel.refuse(e);   // data parallel: every process learns of it before the first step
        }
        try (Engine e = s.engine; StopSignals signals = new StopSignals(s.stop)) {
            s.trainer.run(s.from);
        }
        return 0;
    }

    /** What a run starts from, each process on its own. */
    private record Setup(Trainer trainer, Engine engine, Checkpoint from, StopRequest stop) {}

    private Setup setUp(DataParallel parallel) {
        FaultPolicy faults = new FaultPolicy(FaultPolicy.OnNan.parse(onNan), FaultPolicy.OnSaveError.parse(onSaveError));
        StepDump dump = stepDump();
        Checkpoint from = null;
        TrainConfig base;
        if (resume != null) {
            if (preset != null) throw new IllegalArgumentException("--preset cannot be combined with --resume: the run's configuration comes from its checkpoint");
            Path file = Files.isDirectory(resume) ? resume.resolve(Trainer.LAST) : resume;
            if (Files.isDirectory(resume) && !Files.exists(file)) {
                throw new IllegalArgumentException("--resume " + resume + ": the folder holds no " + Trainer.LAST + ": give a run folder written by dsf4j train, or a checkpoint file");
            }
            from = Checkpoint.load(file);
            base = from.train();
            if (out == null) out = Files.isDirectory(resume) ? resume : resume.toAbsolutePath().getParent();
        } else {
            base = Presets.get(preset == null ? Presets.DEFAULT : preset);
        }
        TrainConfig cfg = overlay(base);
        if (from == null) {
            if (out == null) {
                out = Path.of("runs", (preset == null ? Presets.DEFAULT : preset) + "-" + cfg.method().id() + "-"
                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
            }
            if (Files.exists(out.resolve(Trainer.LAST))) {
                throw new IllegalArgumentException("--out " + out + " already holds a run: continue it with --resume " + out + " or choose another --out");
            }
        }
        Dataset dataset = TrainData.open(cfg, net.offline);
        Provenance provenance = Provenance.of(dataset.provenance(), "dsf4j " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        ModelConfig model = Trainer.modelFor(cfg, dataset);
        Engines.requireMemory(cfg.engine(), model, Math.ceilDiv(cfg.batch(), parallel.size()), cfg.seq());   // each process's share of a batch
        StopRequest stop = new StopRequest();
        Engine e = Engines.create(cfg.engine(), model, cfg.dsfSolver(), cfg.threads(), tf32);
        Trainer trainer = new Trainer(cfg, dataset, e, out, provenance, System.out, System.console() != null).faults(faults).stopWhen(stop)
                .parallel(parallel).checkSync(checkSync).dumpSteps(dump);
        return new Setup(trainer, e, from, stop);
    }

    /** {@code --dump-steps K [--dump-weights every|last]}, or null. */
    private StepDump stepDump() {
        if (dumpSteps == null) {
            if (dumpWeights != null) throw new IllegalArgumentException("--dump-weights " + dumpWeights + " needs --dump-steps K: add it, or drop --dump-weights");
            return null;
        }
        return new StepDump(dumpSteps, dumpWeights == null ? StepDump.Weights.EVERY : StepDump.Weights.parse(dumpWeights));
    }

    /** {@code base} with every flag that was given. */
    private TrainConfig overlay(TrainConfig b) {
        return new TrainConfig(
                data != null ? data : b.data(),
                cell != null ? CellType.parse(cell) : b.cell(),
                block != null ? BlockType.parse(block) : b.block(),
                layers != null ? layers : b.layers(),
                hidden != null ? hidden : b.hidden(),
                lambdaInit != null ? LambdaInit.parse(lambdaInit) : b.lambdaInit(),
                method != null ? Method.parse(method) : b.method(),
                dsfSolver != null ? DsfSolver.parse(dsfSolver) : b.dsfSolver(),
                seq != null ? seq : b.seq(),
                batch != null ? batch : b.batch(),
                epochs != null ? epochs : b.epochs(),
                maxSteps != null ? maxSteps : b.maxSteps(),
                lr != null ? lr : b.lr(),
                optimizer != null ? OptimizerKind.parse(optimizer) : b.optimizer(),
                weightDecay != null ? weightDecay : b.weightDecay(),
                schedule != null ? schedule : b.schedule(),
                clip != null ? clip : b.clip(),
                seed != null ? seed : b.seed(),
                threads != null ? threads : b.threads(),
                evalEvery != null ? evalEvery : b.evalEvery(),
                engine != null ? engine : b.engine(),
                dataMode != null ? DataMode.parse(dataMode) : data != null ? DataMode.defaultFor(data) : b.dataMode(),
                batching != null ? Batching.parse(batching) : b.batching(),
                lambdaUpdate != null ? lambdaUpdate : b.lambdaUpdate(),
                lambdaMax != null ? lambdaMax : b.lambdaMax(),
                logAlignment != null ? logAlignment : b.logAlignment());
    }
}
