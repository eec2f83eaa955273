package dsf4j.train;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.data.Batching;
import dsf4j.data.DataMode;
import dsf4j.config.ModelConfig;

/**
 * Everything a training run is made of, as the flags of {@code train} name it; the vocabulary and
 * pad id come from the data. Presets ({@link Presets}) are values of this record.
 *
 * @param data       ptb, wikitext-2, wikitext-103 or a folder (see the data readers)
 * @param seq        T, tokens per training sequence
 * @param maxSteps   stop after this many optimizer steps; 0 = run every epoch
 * @param schedule   a {@link LrSchedule} spec: const, step:10,20:0.1, cosine:0.1:0.1
 * @param clip       global gradient-norm limit; 0 = no clipping
 * @param evalEvery  steps between validations; 0 = about 50 per run, as the authors
 * @param threads    worker threads of engines that parallelise
 * @param engine     reference, fast or cuda
 * @param dataMode   how the corpus becomes batches (stream mode carries the recurrent state between batches)
 * @param batching   how sentence samples are grouped into training batches: random (the authors') or bucket:N
 * @param lambdaUpdate every this many steps, λ of each layer is set from the batch's Jacobian diagonal
 *                   ({@link AdaptiveLambda}); 0 = λ stays as {@code lambdaInit} made it
 * @param lambdaMax  the upper end of the adaptive λ's clamp [0, λ_max]
 * @param logAlignment every this many steps, the method's gradient against BPTT's on the batch, into the
 *                   metrics ({@link GradientAlignment}); 0 = never
 */
public record TrainConfig(String data, CellType cell, BlockType block, int layers, int hidden, LambdaInit lambdaInit,
                          Method method, DsfSolver dsfSolver, int seq, int batch, int epochs, long maxSteps,
                          double lr, OptimizerKind optimizer, double weightDecay, String schedule, double clip,
                          long seed, int threads, int evalEvery, String engine, DataMode dataMode, Batching batching,
                          int lambdaUpdate, double lambdaMax, int logAlignment) {

    /** How many validations a run makes when {@code evalEvery} is 0 (the authors evaluate 50 times). */
    public static final int EVALUATIONS_PER_RUN = 50;

    /** A config in the authors' data mode for its corpus ({@link DataMode#defaultFor}). */
    public TrainConfig(String data, CellType cell, BlockType block, int layers, int hidden, LambdaInit lambdaInit,
                       Method method, DsfSolver dsfSolver, int seq, int batch, int epochs, long maxSteps,
                       double lr, OptimizerKind optimizer, double weightDecay, String schedule, double clip,
                       long seed, int threads, int evalEvery, String engine) {
        this(data, cell, block, layers, hidden, lambdaInit, method, dsfSolver, seq, batch, epochs, maxSteps, lr, optimizer,
                weightDecay, schedule, clip, seed, threads, evalEvery, engine, data == null ? null : DataMode.defaultFor(data));
    }

    /** A config with the authors' batching (random batches). */
    public TrainConfig(String data, CellType cell, BlockType block, int layers, int hidden, LambdaInit lambdaInit,
                       Method method, DsfSolver dsfSolver, int seq, int batch, int epochs, long maxSteps,
                       double lr, OptimizerKind optimizer, double weightDecay, String schedule, double clip,
                       long seed, int threads, int evalEvery, String engine, DataMode dataMode) {
        this(data, cell, block, layers, hidden, lambdaInit, method, dsfSolver, seq, batch, epochs, maxSteps, lr, optimizer,
                weightDecay, schedule, clip, seed, threads, evalEvery, engine, dataMode, Batching.RANDOM);
    }

    /** A config with a fixed λ and no alignment log. */
    public TrainConfig(String data, CellType cell, BlockType block, int layers, int hidden, LambdaInit lambdaInit,
                       Method method, DsfSolver dsfSolver, int seq, int batch, int epochs, long maxSteps,
                       double lr, OptimizerKind optimizer, double weightDecay, String schedule, double clip,
                       long seed, int threads, int evalEvery, String engine, DataMode dataMode, Batching batching) {
        this(data, cell, block, layers, hidden, lambdaInit, method, dsfSolver, seq, batch, epochs, maxSteps, lr, optimizer,
                weightDecay, schedule, clip, seed, threads, evalEvery, engine, dataMode, batching, 0, DEFAULT_LAMBDA_MAX, 0);
    }

    /** The default upper end of an adaptive λ: 1, where DSF's feedback stops decaying. */
    public static final double DEFAULT_LAMBDA_MAX = 1.0;

    /** This config with {@code b} as its batching. */
    public TrainConfig withBatching(Batching b) {
        return new TrainConfig(data, cell, block, layers, hidden, lambdaInit, method, dsfSolver, seq, batch, epochs, maxSteps, lr, optimizer,
                weightDecay, schedule, clip, seed, threads, evalEvery, engine, dataMode, b, lambdaUpdate, lambdaMax, logAlignment);
    }

    /** This config with λ set from the Jacobian every {@code every} steps (0: fixed), clamped to [0, max]. */
    public TrainConfig withLambdaUpdate(int every, double max) {
        return new TrainConfig(data, cell, block, layers, hidden, lambdaInit, method, dsfSolver, seq, batch, epochs, maxSteps, lr, optimizer,
                weightDecay, schedule, clip, seed, threads, evalEvery, engine, dataMode, batching, every, max, logAlignment);
    }

    /** This config with the gradient alignment logged every {@code every} steps (0: never). */
    public TrainConfig withLogAlignment(int every) {
        return new TrainConfig(data, cell, block, layers, hidden, lambdaInit, method, dsfSolver, seq, batch, epochs, maxSteps, lr, optimizer,
                weightDecay, schedule, clip, seed, threads, evalEvery, engine, dataMode, batching, lambdaUpdate, lambdaMax, every);
    }

    public TrainConfig {
        require(data != null && !data.isBlank(), "--data is missing: use ptb, wikitext-2, wikitext-103 or a folder");
        require(dataMode != null, "--data-mode is missing: use sentences, stream, bpe-blocks or words");
        require(batching != null, "--batching is missing: use random or bucket[:N]");
        require(batching.isRandom() || dataMode == DataMode.SENTENCES, "--batching " + batching.id() + " groups sentences by length, and --data-mode "
                + dataMode.id() + " has none to group (every sample is T + 1 tokens): drop --batching, or use --data-mode sentences");
        require(cell != null && block != null && method != null && dsfSolver != null && optimizer != null && lambdaInit != null
                && schedule != null && engine != null, "incomplete training configuration: pick a --preset or give every flag");
        require(layers >= 1, "--layers must be at least 1 (got " + layers + ")");
        require(hidden >= 1, "--hidden must be at least 1 (got " + hidden + ")");
        require(seq >= 1, "--seq must be at least 1 (got " + seq + ")");
        require(batch >= 1, "--batch must be at least 1 (got " + batch + ")");
        require(epochs >= 1, "--epochs must be at least 1 (got " + epochs + ")");
        require(maxSteps >= 0, "--max-steps must be ≥ 0 (0 = no limit; got " + maxSteps + ")");
        require(lr > 0 && Double.isFinite(lr), "--lr must be a positive number (got " + lr + ")");
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay must be ≥ 0 (got " + weightDecay + ")");
        require(clip >= 0 && Double.isFinite(clip), "--clip must be ≥ 0 (0 = no clipping; got " + clip + ")");
        require(threads >= 1, "--threads must be at least 1 (got " + threads + ")");
        require(evalEvery >= 0, "--eval-every must be ≥ 0 (0 = about " + EVALUATIONS_PER_RUN + " times per run; got " + evalEvery + ")");
        LrSchedule.parse(schedule, lr, 1, 1);   // a malformed spec fails now, not at the first step
        require(lambdaUpdate >= 0, "--lambda-update must be ≥ 0 (0 = λ stays fixed; got " + lambdaUpdate + ")");
        require(lambdaMax >= 0 && lambdaMax <= 1, "--lambda-max must be in [0, 1] (above 1 DSF's δ grows without bound along the sequence; got " + lambdaMax + ")");
        require(lambdaUpdate == 0 || method.usesLambda(), "--lambda-update sets DSF's λ, and --method " + method.id()
                + " reads no λ: use --method dsf or hybrid:K, or drop --lambda-update");
        require(logAlignment >= 0, "--log-alignment must be ≥ 0 (0 = never; got " + logAlignment + ")");
        require(!engine.equals("cuda") || lambdaUpdate == 0, "--lambda-update is not on the cuda engine yet: use --engine fast or reference");
        require(!engine.equals("cuda") || logAlignment == 0, "--log-alignment is not on the cuda engine yet: use --engine fast or reference");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** The network this run trains, once the data has told its vocabulary size and pad id. */
    public ModelConfig model(int vocab, int padId) {
        return new ModelConfig(cell, block, layers, hidden, vocab, padId, lambdaInit);
    }

    /** Optimizer steps of the run: every epoch, or {@code maxSteps} when that comes first. */
    public long totalSteps(long stepsPerEpoch) {
        long all = stepsPerEpoch * epochs;
        return maxSteps > 0 ? Math.min(all, maxSteps) : all;
    }

    /** Steps between validations. */
    public long evalInterval(long totalSteps) {
        return evalEvery > 0 ? evalEvery : Math.max(1, totalSteps / EVALUATIONS_PER_RUN);
    }

    /**
     * Why {@code resumed} cannot continue a run saved with this config, or null when it can. Only
     * the length of the run and how it is executed or observed may change on resume: epochs, max steps,
     * evaluation interval, threads, engine and the alignment log.
     */
    public String resumeConflict(TrainConfig resumed) {
        TrainConfig mine = runOnly(resumed);
        if (mine.equals(resumed)) return null;
        for (var f : TrainConfig.class.getRecordComponents()) {
            try {
                Object a = f.getAccessor().invoke(mine), b = f.getAccessor().invoke(resumed);
                if (!a.equals(b)) {
                    return "--" + TrainConfigJson.flag(f.getName()) + " " + TrainConfigJson.show(b) + " does not match the checkpoint's " + TrainConfigJson.show(a)
                            + ": drop the flag to continue that run, or start a new run with another --out";
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return null;
    }

    /** This config with the run-length and execution fields of {@code other}. */
    private TrainConfig runOnly(TrainConfig other) {
        return new TrainConfig(data, cell, block, layers, hidden, lambdaInit, method, dsfSolver, seq, batch, other.epochs, other.maxSteps,
                lr, optimizer, weightDecay, schedule, clip, seed, other.threads, other.evalEvery, other.engine, dataMode, batching,
                lambdaUpdate, lambdaMax, other.logAlignment);
    }
}
