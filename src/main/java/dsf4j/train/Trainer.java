package dsf4j.train;

import dsf4j.config.ConfigJson;
import dsf4j.config.ModelConfig;
import dsf4j.data.Dataset;
import dsf4j.data.Split;
import dsf4j.data.Tokenizer;
import dsf4j.engine.DeviceTrainer;
import dsf4j.engine.Engine;
import dsf4j.io.AtomicFiles;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The training loop: for each batch, loss and gradient from the {@link Engine}, global-norm
 * clipping, an {@link Adam} step at the {@link LrSchedule}'s rate (on the host, or all three on the
 * device when the engine has a {@link DeviceTrainer}: see {@link Updater}); a validation every
 * {@link TrainConfig#evalInterval} steps (and at the last), with {@code best.safetensors} written
 * when validation improves and {@code last.safetensors} after every validation; at the end the test
 * perplexity of the best weights, and a plot.
 *
 * <p>Resuming from {@code last.safetensors} continues bit-identically: the weights, Adam's moments
 * and step count, and the position in the epoch's batch order (a function of seed and epoch) are
 * all in the checkpoint.
 *
 * <p>Faults ({@link FaultPolicy}): a non-finite loss or gradient norm stops the run before the update,
 * saving the last good state (or skips the update and counts it); a checkpoint that cannot be written
 * stops the run (or is retried at the next one), the previous file intact either way; a
 * {@link StopRequest} (SIGINT, SIGTERM) ends the run after the current step with a checkpoint of it.
 */
public final class Trainer {

    public static final String BEST = "best.safetensors", LAST = "last.safetensors", PLOT = "perplexity.png";

    /**
     * What a run achieved. Losses are mean cross-entropy in nats.
     *
     * @param testLoss       NaN when the run was stopped before its end
     * @param skippedUpdates updates skipped for a non-finite loss or gradient ({@code --on-nan skip}), over the whole run
     * @param stopped        true when a {@link StopRequest} ended the run early (its last checkpoint holds {@code steps})
     */
    public record Result(long steps, double bestValidLoss, long bestStep, double testLoss, Parameters finalParams, long skippedUpdates, boolean stopped) {

        public Result(long steps, double bestValidLoss, long bestStep, double testLoss, Parameters finalParams) {
            this(steps, bestValidLoss, bestStep, testLoss, finalParams, 0, false);
        }

        public double bestValidPpl() {
            return Math.exp(bestValidLoss);
        }

        public double testPpl() {
            return Math.exp(testLoss);
        }
    }

    private final TrainConfig cfg;
    private final Dataset data;
    private final Engine engine;
    private final Path out;
    private final Provenance provenance;
    private final Progress console;
    private final ModelConfig model;
    private FaultPolicy faults = FaultPolicy.DEFAULT;
    private StopRequest stop = new StopRequest();
    private CheckpointWriter writer = Checkpoint::save;

    /** Writes a checkpoint ({@link Checkpoint#save}); tests substitute one that fails like a full disk. */
    @FunctionalInterface
    interface CheckpointWriter {
        void save(Path path, ModelConfig model, TrainConfig train, Parameters params, Adam adam, TrainState state, Provenance provenance) throws IOException;
    }

    /**
     * @param engine  built for {@link #modelFor(TrainConfig, Dataset)}
     * @param out     the run folder (created when missing): checkpoints, metrics, plot
     * @param live    rewrite the progress line in place (a terminal) instead of printing it every 30 s
     */
    public Trainer(TrainConfig cfg, Dataset data, Engine engine, Path out, Provenance provenance, PrintStream console, boolean live) {
        this.cfg = cfg;
        this.data = data;
        this.engine = engine;
        this.out = out;
        this.provenance = provenance;
        this.console = new Progress(console, live);
        this.model = modelFor(cfg, data);
    }

    /** What to do on a non-finite loss or a failed checkpoint write (default: stop on both). */
    public Trainer faults(FaultPolicy policy) {
        this.faults = Objects.requireNonNull(policy);
        return this;
    }

    /** Ends the run after the step during which {@code request} is made, with a checkpoint of that step. */
    public Trainer stopWhen(StopRequest request) {
        this.stop = Objects.requireNonNull(request);
        return this;
    }

    Trainer writer(CheckpointWriter w) {
        this.writer = w;
        return this;
    }

    /** The network {@code cfg} describes, with the data's vocabulary size and pad id. */
    public static ModelConfig modelFor(TrainConfig cfg, Dataset data) {
        Tokenizer tok = data.tokenizer();
        return cfg.model(tok.size(), tok.padId());
    }

    /** Σ cross-entropy over every non-pad target of {@code batches}. */
    public static Engine.LossSum evaluate(Engine engine, Parameters params, List<Batch> batches) {
        return evaluate(engine, params, batches, null);
    }

    /**
     * Σ cross-entropy over every non-pad target of {@code batches}, carrying the recurrent state from
     * one batch to the next when {@code carried} is not null (stream mode).
     *
     * @param carried the state to start from, [L][B·D] (see {@link #zeroState}); overwritten, or null
     */
    public static Engine.LossSum evaluate(Engine engine, Parameters params, List<Batch> batches, float[][] carried) {
        Engine.LossSum s = new Engine.LossSum(0, 0);
        for (Batch b : batches) s = s.plus(carried == null ? engine.evaluate(params, b) : engine.evaluate(params, b, carried));
        return s;
    }

    /** A zero recurrent state for every layer of {@code model}, [L][B·D]. */
    public static float[][] zeroState(ModelConfig model, int batch) {
        return new float[model.layers()][batch * model.stateSize()];
    }

    /**
     * Trains from scratch ({@code resume == null}) or from a checkpoint of this same run (whose
     * {@link Checkpoint#params()} are then trained in place).
     *
     * @throws IllegalArgumentException when the checkpoint belongs to another configuration
     */
    public Result run(Checkpoint resume) throws IOException {
        Parameters params;
        Adam adam;
        TrainState st;
        if (resume == null) {
            params = ParamLayout.init(model, cfg.seed());
            adam = new Adam(params, cfg.optimizer(), cfg.weightDecay());
            st = TrainState.START;
        } else {
            String conflict = resume.train().resumeConflict(cfg);
            if (conflict != null) throw new IllegalArgumentException(conflict);
            if (!resume.model().equals(model)) {
                throw new IllegalArgumentException("the checkpoint's model " + ConfigJson.toJson(resume.model()) + " does not match the data's " + ConfigJson.toJson(model)
                        + ": resume with the data the run was trained on");
            }
            params = resume.params();
            adam = new Adam(params, cfg.optimizer(), cfg.weightDecay());
            resume.restoreInto(adam);
            st = resume.state();
        }
        List<Batch> epochBatches = data.trainBatches(cfg.batch(), cfg.seed(), st.epoch());
        requireData(epochBatches, Split.TRAIN);
        long stepsPerEpoch = epochBatches.size();   // the same in every epoch: only the order changes
        long total = cfg.totalSteps(stepsPerEpoch);
        LrSchedule schedule = LrSchedule.parse(cfg.schedule(), cfg.lr(), stepsPerEpoch, total);
        long evalEvery = cfg.evalInterval(total);
        List<Batch> valid = data.batches(Split.VALID, cfg.batch());
        requireData(valid, Split.VALID);

        Files.createDirectories(out);   // only once the run is known to be valid
        for (String f : List.of(BEST, LAST)) AtomicFiles.removeLeftovers(out.resolve(f));   // a killed save's temporary file
        // Stream mode: the state each layer ended the previous batch in, reset when an epoch starts.
        float[][] carried = !data.carriesState() ? null : st.carried() != null ? st.carried() : zeroState(model, cfg.batch());
        long step = st.step(), skipped = st.skippedUpdates(), lastSaved = -1;
        int epoch = st.epoch(), bi = st.batchIndex();
        double best = st.bestValidLoss();
        long bestStep = st.bestStep();
        long sessionStart = System.nanoTime(), trainNanos = 0, sessionSteps = 0, tokens = 0;
        double epochLossSum = 0;
        int epochSteps = 0;
        console.line(String.format(Locale.ROOT, "%s %s: %s, %d steps (%d per epoch), validation every %d steps, %s engine",
                resume == null ? "training" : "resuming at step " + step + " of", out, describe(), total, stepsPerEpoch, evalEvery, engine.name()));

        try (Metrics metrics = Metrics.open(out, resume == null ? -1 : step);
             Updater updater = Updater.of(engine, params, adam, cfg.clip())) {
            while (step < total) {
                if (bi >= epochBatches.size()) {
                    epoch++;
                    bi = 0;
                    epochLossSum = 0;
                    epochSteps = 0;
                    epochBatches = data.trainBatches(cfg.batch(), cfg.seed(), epoch);
                    if (carried != null) carried = zeroState(model, cfg.batch());
                }
                Batch b = epochBatches.get(bi);
                double lr = schedule.at(step);
                long t0 = System.nanoTime();
                DeviceTrainer.Update update = updater.step(b, cfg.method(), lr, carried);   // no update when not finite
                double loss = update.loss(), norm = update.gradNorm();
                boolean finite = update.applied();
                if (!finite && carried != null) {
                    for (float[] layer : carried) java.util.Arrays.fill(layer, 0f);   // never carry a non-finite state on
                }
                if (!finite && faults.onNan() == FaultPolicy.OnNan.STOP) {
                    double elapsed = st.elapsedSeconds() + (System.nanoTime() - sessionStart) / 1e9;
                    TrainState good = position(step, epoch, bi, epochBatches.size(), best, bestStep, elapsed, skipped, carried);
                    updater.sync();
                    if (lastSaved != step && save(false, good, params, adam)) lastSaved = step;
                    metrics.flush();
                    throw new TrainingHalted(String.format(Locale.ROOT, "step %d: the loss (%s) or gradient norm (%s) is not finite; the weights were not updated and %s: "
                                    + "resume with --on-nan skip to skip such updates, or start again with a lower --lr or with --clip",
                            step + 1, loss, norm, kept(lastSaved)), null);
                }
                if (!finite) skipped++;
                trainNanos += System.nanoTime() - t0;
                step++;
                bi++;
                sessionSteps++;
                tokens += b.tokenCount();
                double seconds = trainNanos / 1e9;
                double elapsed = st.elapsedSeconds() + (System.nanoTime() - sessionStart) / 1e9;
                if (finite) {
                    epochLossSum += loss;
                    epochSteps++;
                    metrics.add(new Metrics.Row("train", step, epoch, loss, lr, norm, tokens / seconds, elapsed));
                    console.step(step, total, epoch, cfg.epochs(), loss, lr, norm, tokens / seconds, (total - step) * seconds / sessionSteps);
                } else {
                    metrics.add(new Metrics.Row(Metrics.SKIPPED, step, epoch, loss, lr, norm, Double.NaN, elapsed));
                    console.line(String.format(Locale.ROOT, "step %d: the loss (%s) or gradient norm (%s) is not finite: update skipped (%d so far; --on-nan skip)",
                            step, loss, norm, skipped));
                }

                if (step % evalEvery == 0 || step == total) {
                    double v = updater.evaluate(valid, carried == null ? null : zeroState(model, cfg.batch())).mean();
                    metrics.add(new Metrics.Row("valid", step, epoch, v, Double.NaN, Double.NaN, Double.NaN, elapsed));
                    boolean improved = v < best;
                    if (improved) {
                        best = v;
                        bestStep = step;
                    }
                    updater.sync();
                    if (save(improved, position(step, epoch, bi, epochBatches.size(), best, bestStep, elapsed, skipped, carried), params, adam)) lastSaved = step;
                    metrics.flush();
                    console.line(String.format(Locale.ROOT, "step %d: valid loss %.4f  ppl %.2f%s", step, v, Math.exp(v),
                            improved ? "  (best, saved)" : String.format(Locale.ROOT, "  (best %.2f at step %d)", Math.exp(best), bestStep)));
                }
                if (bi >= epochBatches.size()) {
                    console.line(String.format(Locale.ROOT, "epoch %d/%d done: train loss %.4f (ppl %.2f), best valid ppl %.2f at step %d, %s elapsed, %s tok/s",
                            epoch + 1, cfg.epochs(), epochLossSum / epochSteps, Math.exp(epochLossSum / epochSteps), Math.exp(best), bestStep,
                            Progress.duration(elapsed), Progress.compact(tokens / seconds)));
                }
                if (stop.requested()) {
                    updater.sync();
                    if (lastSaved != step) {
                        TrainState now = position(step, epoch, bi, epochBatches.size(), best, bestStep, elapsed, skipped, carried);
                        try {
                            writer.save(out.resolve(LAST), model, cfg, params, adam, now, provenance);
                        } catch (IOException | UncheckedIOException e) {
                            throw new TrainingHalted(String.format(Locale.ROOT, "stopped by %s after step %d but could not write a checkpoint (%s); %s: free disk space, then resume with ./run.sh train --resume %s",
                                    stop.reason(), step, oneLine(e), kept(lastSaved), out), e);
                        }
                    }
                    metrics.flush();
                    console.line(String.format(Locale.ROOT, "stopped by %s after step %d of %d: %s holds it; resume with ./run.sh train --resume %s",
                            stop.reason(), step, total, out.resolve(LAST), out));
                    return new Result(step, best, bestStep, Double.NaN, params, skipped, true);
                }
            }
            updater.sync();
            updater.close();   // a device's training memory goes before the test evaluation needs its own
            Path bestFile = out.resolve(BEST);
            boolean haveBest = Files.isRegularFile(bestFile);
            Checkpoint bestCkpt = haveBest ? Checkpoint.load(bestFile) : null;
            double test = evaluate(engine, haveBest ? bestCkpt.params() : params, data.batches(Split.TEST, cfg.batch()),
                    carried == null ? null : zeroState(model, cfg.batch())).mean();
            double elapsed = st.elapsedSeconds() + (System.nanoTime() - sessionStart) / 1e9;
            metrics.add(new Metrics.Row("test", haveBest ? bestCkpt.state().step() : step, haveBest ? bestCkpt.state().epoch() : epoch, test,
                    Double.NaN, Double.NaN, Double.NaN, elapsed));
            console.line(String.format(Locale.ROOT, "done: best valid ppl %.2f at step %d, test ppl %.2f (%s); checkpoints %s and %s%s",
                    Math.exp(best), bestStep, Math.exp(test), haveBest ? "best weights" : "final weights: no best checkpoint could be written", bestFile, out.resolve(LAST),
                    skipped > 0 ? "; " + skipped + " updates skipped (non-finite loss or gradient)" : ""));
            metrics.flush();
            writePlot();
            return new Result(step, best, bestStep, test, params, skipped, false);
        }
    }

    /** Where the run stands after {@code step} steps, {@code bi} batches into an epoch of {@code epochSize}. */
    private static TrainState position(long step, int epoch, int bi, int epochSize, double best, long bestStep, double elapsed, long skipped,
                                       float[][] carried) {
        return bi >= epochSize ? new TrainState(step, epoch + 1, 0, best, bestStep, elapsed, skipped)   // a new epoch starts from zero
                : new TrainState(step, epoch, bi, best, bestStep, elapsed, skipped, carried);
    }

    /**
     * Writes {@code best.safetensors} (when {@code improved}) and {@code last.safetensors}, each atomically.
     *
     * @return false when a write failed and {@link FaultPolicy.OnSaveError#CONTINUE} lets the run go on
     * @throws TrainingHalted when a write failed and the policy is to stop
     */
    private boolean save(boolean improved, TrainState now, Parameters params, Adam adam) {
        Exception failure = null;
        for (String name : improved ? List.of(BEST, LAST) : List.of(LAST)) {   // each file on its own: one failing does not skip the other
            try {
                writer.save(out.resolve(name), model, cfg, params, adam, now, provenance);
            } catch (IOException | UncheckedIOException e) {
                if (failure == null) failure = e;
            }
        }
        if (failure == null) return true;
        String what = String.format(Locale.ROOT, "step %d: could not write a checkpoint (%s); the previous checkpoints in %s are intact", now.step(), oneLine(failure), out);
        if (faults.onSaveError() == FaultPolicy.OnSaveError.STOP) {
            throw new TrainingHalted(what + ": free disk space (or fix the folder), then resume with ./run.sh train --resume " + out
                    + " (or train with --on-save-error continue)", failure);
        }
        console.line("warning: " + what + "; training goes on (--on-save-error continue) and tries again at the next checkpoint");
        return false;
    }

    private String kept(long lastSaved) {
        return lastSaved >= 0 ? out.resolve(LAST) + " holds the last good state (step " + lastSaved + ")" : "the checkpoints in " + out + " are as they were";
    }

    private static String oneLine(Exception e) {
        Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.replaceAll("\\s*\\R\\s*", " ");
    }

    /** A split must give at least one batch, and the training split one as large as --batch. */
    private void requireData(List<Batch> batches, Split split) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("the " + split.id() + " split of " + cfg.data() + " gives no sequence of --seq " + cfg.seq() + " tokens: lower --seq, or give more data");
        }
        if (split == Split.TRAIN) {
            long rows = batches.stream().mapToLong(Batch::batch).sum();
            if (rows < cfg.batch()) {
                throw new IllegalArgumentException("--batch " + cfg.batch() + " is more than the " + rows + " sequences of the training split of " + cfg.data()
                        + ": lower --batch to at most " + rows + ", or give more data");
            }
        }
    }

    private void writePlot() {
        Path png = out.resolve(PLOT);
        try {
            Plot.write(List.of(out), png);
            console.line("plot: " + png);
        } catch (IOException | RuntimeException | LinkageError e) {   // LinkageError: a runtime without java.desktop (a jlink'd one)
            console.line("plot not written (" + e + "); the run itself is saved");
        }
    }

    private String describe() {
        return String.format(Locale.ROOT, "%s %s %dx%d %s, batch %d, lr %.3g %s (wd %.3g), schedule %s%s", model.cell().id(), model.block().id(), model.layers(),
                model.hidden(), cfg.method().id(), cfg.batch(), cfg.lr(), cfg.optimizer().id(), cfg.weightDecay(), cfg.schedule(),
                cfg.clip() > 0 ? ", clip " + cfg.clip() : "");
    }
}
