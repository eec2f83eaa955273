package dsf4j.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

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
 * saving the last good state (or skips the update and counts it); so does a training loss above
 * {@value #DIVERGED} × ln V (a uniform prediction's loss is ln V: the run has diverged), which stops without
 * saving the diverged weights, as does a validation loss that is not finite or above that limit (skipped: not
 * saved); a checkpoint that cannot be written
 * stops the run (or is retried at the next one), the previous file intact either way; a
 * {@link StopRequest} (SIGINT, SIGTERM) ends the run after the current step with a checkpoint of it.
 */
public final class Trainer {

    public static final String BEST = "best.safetensors", LAST = "last.safetensors", PLOT = "perplexity.png";

    /**
     * A loss above DIVERGED × ln V, ln V being the loss of a uniform prediction (where training starts), means the
     * run has diverged (the example: 2.8e10 against ln 10,002 = 9.2).
     */
    static final double DIVERGED = 10;

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
    private Provenance provenance;
    private Progress console;
    private final ModelConfig model;
    private FaultPolicy faults = FaultPolicy.DEFAULT;
    private StopRequest stop = new StopRequest();
    private CheckpointWriter writer = Checkpoint::save;
    private StepDump dump;
    private DataParallel parallel = DataParallel.SINGLE;
    private long checkSyncEvery;

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

    /** Records the run's first steps for a replay in PyTorch ({@link StepDump}: it observes, the run is unchanged). */
    public Trainer dumpSteps(StepDump d) {
        this.dump = d;
        return this;
    }

    Trainer writer(CheckpointWriter w) {
        this.writer = w;
        return this;
    }

    /**
     * Trains as one of the processes of {@code p} ({@link DataParallel}): each takes its part of every
     * batch; rank 0 alone prints and writes the run's files.
     */
    public Trainer parallel(DataParallel p) {
        this.parallel = Objects.requireNonNull(p);
        this.provenance = provenance.withWorldSize(p.size());
        if (!p.leader()) this.console = new Progress(new PrintStream(OutputStream.nullOutputStream()), false);
        return this;
    }

    /** Data-parallel: compare the processes' weights every {@code steps} steps as well as before each checkpoint (0: only then). */
    public Trainer checkSync(long steps) {
        if (steps < 0) throw new IllegalArgumentException("--check-sync must be ≥ 0 (0: only before each checkpoint; got " + steps + ")");
        this.checkSyncEvery = steps;
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
     * {@link Checkpoint#params()} are then trained in place). The phases: {@link #begin} (weights,
     * optimizer, position, schedule), then per batch {@link Session#trainStep}, {@link Session#validate}
     * when due, {@link Session#endEpoch} at an epoch's end, {@link Session#stopEarly} on a stop request;
     * {@link Session#finish} after the last step. The run folder is locked ({@link RunLock}) from before the
     * first write to the end.
     *
     * @throws IllegalArgumentException when the checkpoint belongs to another configuration, or another
     *                                  trainer holds the run folder
     */
    public Result run(Checkpoint resume) throws IOException {
        Session s;
        try {
            s = begin(resume);
            if (dump != null) dump.begin(resume != null, data.carriesState(), parallel.launched(), s.total, s.params);
        } catch (RuntimeException e) {
            throw parallel.refuse(e);   // data-parallel: every process learns of it, none waits for the others
        }
        if (parallel.launched()) parallel.agree(claims(resume));
        if (!parallel.leader()) return run(s, resume);   // rank 0 alone writes the run folder
        Files.createDirectories(out);   // only once the run is known to be valid
        try (RunLock lock = RunLock.acquire(out)) {   // one trainer per folder, from here to the end of the run
            return run(s, resume);
        }
    }

    private Result run(Session s, Checkpoint resume) throws IOException {
        if (parallel.leader()) {
            for (String f : List.of(BEST, LAST)) AtomicFiles.removeLeftovers(out.resolve(f));   // a killed save's temporary file
        }
        console.line(String.format(Locale.ROOT, "%s %s: %s, %d steps (%d per epoch), validation every %d steps, %s engine",
                resume == null ? "training" : "resuming at step " + s.step + " of", out, describe(), s.total, s.stepsPerEpoch, s.evalEvery, engine.name()));
        String sharing = sharing(resume);
        if (sharing != null) console.line(sharing);
        try (Metrics metrics = parallel.leader() ? Metrics.open(out, resume == null ? -1 : s.step) : Metrics.discard();
             Updater updater = Updater.of(engine, s.params, s.adam, cfg.clip(), s.divergedLoss, parallel, model.padId())) {
            s.metrics = metrics;
            s.updater = updater;
            if (parallel.launched()) stop.onRequest(s::stopNow);   // the launcher kills the processes a second after its signal
            while (s.step < s.total) {
                s.trainStep(s.nextBatch());
                if (checkSyncEvery > 0 && s.step % checkSyncEvery == 0) parallel.checkSync(s.step, s.params, s.adam);
                if (s.step % s.evalEvery == 0 || s.step == s.total) s.validate();
                if (s.epochEnded()) s.endEpoch();
                if (!parallel.launched() && stop.requested()) return s.stopEarly();
            }
            return s.finish();
        }
    }

    /**
     * What the processes of a data-parallel run must agree on before the first step: the configuration
     * (threads aside: they change no result), the data, the checkpoint resumed from, the build.
     */
    private List<DataParallel.Claim> claims(Checkpoint resume) {
        JsonObject settings = JsonParser.parseString(TrainConfigJson.toJson(cfg)).getAsJsonObject();
        settings.remove("threads");
        settings.addProperty("check_sync", checkSyncEvery);
        settings.addProperty("faults", faults.toString());
        long from = resume == null ? 0 : DataParallel.digest(resume.params()) ^ DataParallel.hash(resume.state().toJson());
        return List.of(
                new DataParallel.Claim(DataParallel.hash(settings.toString()),
                        "were started with different settings (flags, preset, --check-sync or --on-nan): start every process with the same command line"),
                new DataParallel.Claim(DataParallel.hash(data.provenance()),
                        "read different data (the corpus files' sha256 or the data options differ): give every machine the same corpus"),
                new DataParallel.Claim(from, "resume from different checkpoints: give every machine the same run folder (a shared file system, or the same copy)"),
                new DataParallel.Claim(DataParallel.hash(provenance.version()), "run different dsf4j builds: run the same build everywhere"));
    }

    /**
     * The start-up line of a run under a launcher (the processes, each one's share) and of a run resumed
     * on another number of processes than its checkpoint's (re-sharded, not bit-identical); else null.
     */
    private String sharing(Checkpoint resume) {
        int n = parallel.size(), before = resume == null ? n : resume.worldSize();
        String line = !parallel.launched() ? null : String.format(Locale.ROOT, "data parallel: %s; each process takes %d of every %d sequences",
                parallel.world().describe(), cfg.batch() / n, cfg.batch());
        if (before == n) return line;
        String reshard = String.format(Locale.ROOT, "the checkpoint was written by %d process%s and this run has %d: the batches are the same, "
                        + "now shared by %d instead of %d (the gradient is summed in another order: the run continues, but not bit-identically to one on %d)",
                before, before == 1 ? "" : "es", n, n, before, before);
        return line == null ? reshard : line + "; " + reshard;
    }

    /** The weights, optimizer and position a run starts from: fresh, or those of {@code resume}. */
    private Session begin(Checkpoint resume) {
        if (parallel.distributed()) {
            int n = parallel.size();
            if (cfg.batch() % n != 0) {
                throw new IllegalArgumentException("--batch " + cfg.batch() + " does not divide among " + n + " processes: give a --batch that is a multiple of " + n
                        + " (each process takes an equal part of every batch), or launch a number of processes that divides " + cfg.batch());
            }
            if (cfg.engine().equalsIgnoreCase("cuda")) {
                throw new IllegalArgumentException("--engine cuda trains on one process (several would need an NCCL all-reduce, not built yet): "
                        + "use --engine fast on " + n + " processes, or one process");
            }
        }
        if (resume == null) {
            Parameters params = ParamLayout.init(model, cfg.seed());
            return new Session(params, new Adam(params, cfg.optimizer(), cfg.weightDecay()), TrainState.START);
        }
        String conflict = resume.train().resumeConflict(cfg);
        if (conflict != null) throw new IllegalArgumentException(conflict);
        if (!resume.model().equals(model)) {
            throw new IllegalArgumentException("the checkpoint's model " + ConfigJson.toJson(resume.model()) + " does not match the data's " + ConfigJson.toJson(model)
                    + ": resume with the data the run was trained on");
        }
        Adam adam = new Adam(resume.params(), cfg.optimizer(), cfg.weightDecay());
        resume.restoreInto(adam);
        return new Session(resume.params(), adam, resume.state());
    }

    /**
     * One session of a run (from its start or a resume to its end or a stop): what changes from step to
     * step, and the phases of a step. Not thread-safe; lives inside {@link #run}.
     */
    private final class Session {
        final Parameters params;
        final Adam adam;
        final long stepsPerEpoch, total, evalEvery;
        /** {@link #DIVERGED} × ln V: a training or validation loss above it has diverged. */
        final double divergedLoss = DIVERGED * Math.log(model.vocab());
        private final LrSchedule schedule;
        private final List<Batch> valid;
        private final TrainState resumedFrom;
        Metrics metrics;
        Updater updater;
        private final GradientAlignment alignment;   // --log-alignment; null when off

        // Where the run is: the next batch is epochBatches[batchIndex] of epoch `epoch`.
        long step, skipped, lastSaved = -1, bestStep;
        int epoch, batchIndex;
        double best;
        private List<Batch> epochBatches;
        /** Stream mode: the state each layer ended the previous batch in, [L][B·D], reset when an epoch starts; null otherwise. */
        private float[][] carried;

        /**
         * Held while a step's results go into the run (the update, the position, the metrics, a checkpoint)
         * and never across a collective call: a stop under a launcher ({@link #stopNow}) takes it to save
         * the last whole step while this thread computes the next.
         */
        private final ReentrantLock guard = new ReentrantLock();

        // This session's clock and counters (the run's elapsed time adds resumedFrom's).
        private final long sessionStart = System.nanoTime();
        private long trainNanos, sessionSteps, targets, cells;
        private double epochLossSum;
        private int epochSteps;

        Session(Parameters params, Adam adam, TrainState from) {
            this.params = params;
            this.adam = adam;
            this.resumedFrom = from;
            step = from.step();
            skipped = from.skippedUpdates();
            epoch = from.epoch();
            batchIndex = from.batchIndex();
            best = from.bestValidLoss();
            bestStep = from.bestStep();
            epochBatches = data.trainBatches(cfg.batch(), cfg.seed(), epoch);
            requireData(epochBatches, Split.TRAIN);
            stepsPerEpoch = epochBatches.size();   // the same in every epoch: only the order changes
            total = cfg.totalSteps(stepsPerEpoch);
            schedule = LrSchedule.parse(cfg.schedule(), cfg.lr(), stepsPerEpoch, total);
            evalEvery = cfg.evalInterval(total);
            valid = data.batches(Split.VALID, cfg.batch());
            requireData(valid, Split.VALID);
            carried = !data.carriesState() ? null : from.carried() != null ? from.carried() : zeroState(model, cfg.batch());
            alignment = cfg.logAlignment() > 0 && parallel.leader() ? new GradientAlignment(engine, cfg.method(), model.layers(), cfg.logAlignment()) : null;   // rank 0 writes the metrics
        }

        /** The next training batch, starting a new epoch (new order, zero carried state) when this one is done. */
        Batch nextBatch() {
            if (batchIndex >= epochBatches.size()) {
                epoch++;
                batchIndex = 0;
                epochLossSum = 0;
                epochSteps = 0;
                epochBatches = data.trainBatches(cfg.batch(), cfg.seed(), epoch);
                if (carried != null) carried = zeroState(model, cfg.batch());
            }
            return epochBatches.get(batchIndex);
        }

        /**
         * Loss, gradient and update on {@code b} at the schedule's rate; a non-finite loss or norm leaves
         * the weights as they were and then stops the run or is skipped and counted ({@link FaultPolicy}).
         */
        void trainStep(Batch b) {
            double lr = schedule.at(step);
            long t0 = System.nanoTime();
            // data-parallel: every process reads the whole batch here, so all of them set the same λ without a message
            if (AdaptiveLambda.due(step, cfg.lambdaUpdate())) AdaptiveLambda.update(engine, params, b, carried, model.layers(), cfg.lambdaMax());
            long probe = logAlignment(b);                                                  // not counted in tokens/s
            DeviceTrainer.Update update = updater.compute(b, cfg.method(), lr, carried);   // on the host, nothing changes yet
            if (!update.applied() || diverged(update.loss())) refuse(update);   // stops the run, unless the update is skipped (below)
            guard.lock();
            try {
                updater.apply();   // no update when not finite (or, on the host, diverged)
                if (!update.applied()) skipUpdate();
                trainNanos += System.nanoTime() - t0 - probe;
                step++;
                batchIndex++;
                sessionSteps++;
                targets += b.targetCount(model.padId());
                cells += b.tokenCount();
                double seconds = trainNanos / 1e9, rate = targets / seconds, padding = 1 - (double) targets / cells;
                if (update.applied()) {
                    epochLossSum += update.loss();
                    epochSteps++;
                    metrics.add(new Metrics.Row("train", step, epoch, update.loss(), lr, update.gradNorm(), rate, elapsed(), padding));
                    console.step(step, total, epoch, cfg.epochs(), update.loss(), lr, update.gradNorm(), rate, padding, (total - step) * seconds / sessionSteps);
                } else {
                    metrics.add(new Metrics.Row(Metrics.SKIPPED, step, epoch, update.loss(), lr, update.gradNorm(), Double.NaN, elapsed()));
                    console.line(String.format(Locale.ROOT, "step %d: %s: update skipped (%d so far; --on-nan skip)", step, diverged(update.loss())
                            ? String.format(Locale.ROOT, "the loss %.4g is above %.0f × ln V = %.1f", update.loss(), DIVERGED, divergedLoss)
                            : String.format(Locale.ROOT, "the loss (%s) or gradient norm (%s) is not finite", update.loss(), update.gradNorm()), skipped));
                }
            } finally {
                guard.unlock();
            }
            if (dump != null && step <= dump.steps()) dumpStep(b, lr, update);
        }

        /** {@link StepDump}: this step's batch, rate, loss, norm and weights after it; the file once step K is done. */
        private void dumpStep(Batch b, double lr, DeviceTrainer.Update update) {
            if (dump.wantsWeightsAfter(step)) updater.sync();   // a device trainer's weights, to the host
            dump.record(step, b, lr, update.loss(), update.gradNorm(), params);
            if (step < dump.steps()) return;
            Path file = out.resolve(StepDump.FILE);
            try {
                dump.file(model, cfg, engine.name(), provenance).write(file);
            } catch (IOException | UncheckedIOException e) {
                throw new TrainingHalted(String.format(Locale.ROOT, "step %d: could not write %s (%s): free disk space (or fix the folder) and run again", step, file, oneLine(e)), e);
            }
            console.line(String.format(Locale.ROOT, "steps 1-%d recorded in %s: replay them with bench/pytorch_equivalence.py %s", step, file, file));
        }

        /**
         * {@code --log-alignment}: on this step's batch, before its update, the method's gradient against
         * BPTT's per group, as {@value Metrics#ALIGNMENT} rows and one console line.
         *
         * @return the nanoseconds it took (0 when the step is not measured)
         */
        private long logAlignment(Batch b) {
            if (alignment == null || !alignment.due(step + 1)) return 0;
            long t0 = System.nanoTime();
            GradientAlignment.Measurement m = alignment.measure(params, b, carried);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "step %d: %s's gradient against BPTT's, cosine / norm ratio:", step + 1, cfg.method().id()));
            for (var g : m.groups()) {
                metrics.add(Metrics.Row.alignment(step + 1, epoch, m.loss(), elapsed(), g.group(), g.cosine(), g.normRatio()));
                line.append(String.format(Locale.ROOT, " %s %.3f / %.2f", g.group(), g.cosine(), g.normRatio()));
            }
            console.line(line.toString());
            return System.nanoTime() - t0;
        }

        /** A step whose update is not made (--on-nan skip): counted, and stream mode's state reset. */
        private void skipUpdate() {
            zeroCarried();
            skipped++;
        }

        private void zeroCarried() {
            if (carried != null) {
                for (float[] layer : carried) java.util.Arrays.fill(layer, 0f);   // never carry a non-finite or diverged state on
            }
        }

        /** A finite loss above {@link #divergedLoss}. */
        boolean diverged(double loss) {
            return Double.isFinite(loss) && loss > divergedLoss;
        }

        /**
         * A step whose loss or norm is not finite, or whose loss is above {@link #divergedLoss}. Under --on-nan
         * skip, when the update was not made (the host's), nothing here: trainStep counts the skip. Otherwise
         * the run stops: a non-finite step after saving the last good state (unless it is), a diverged one
         * without saving the weights that gave it. Every data-parallel process stops alike (they share the loss).
         */
        private void refuse(DeviceTrainer.Update update) {
            if (faults.onNan() == FaultPolicy.OnNan.SKIP && !update.applied()) return;
            zeroCarried();
            if (diverged(update.loss())) {
                metrics.flush();
                throw new TrainingHalted(String.format(Locale.ROOT, "step %d: the training loss %.4g is above %.0f × ln V = %.1f (a uniform prediction's loss is %.2f): "
                                + "the run has diverged%s; these weights were not saved and %s: %s", step + 1, update.loss(), DIVERGED, divergedLoss, Math.log(model.vocab()),
                        faults.onNan() == FaultPolicy.OnNan.SKIP ? " (the " + engine.name() + " engine had already made that update, so it could not be skipped)" : "",
                        kept(lastSaved), lowerLrOrClip()), null);
            }
            updater.sync();
            if (lastSaved != step) {
                Saved saved;
                guard.lock();
                try {
                    saved = trySave(false, position());
                } finally {
                    guard.unlock();
                }
                if (settle(saved)) lastSaved = step;
            }
            metrics.flush();
            throw new TrainingHalted(String.format(Locale.ROOT, "step %d: the loss (%s) or gradient norm (%s) is not finite; the weights were not updated and %s: "
                            + "resume with --on-nan skip to skip such updates, or start again with a lower --lr or with --clip",
                    step + 1, update.loss(), update.gradNorm(), kept(lastSaved)), null);
        }

        /** What to try instead of a diverged run. */
        private String lowerLrOrClip() {
            return String.format(Locale.ROOT, "start again with a lower --lr (this run's is %s) or with --clip%s", cfg.lr(),
                    cfg.clip() > 0 ? " below " + cfg.clip() : " (e.g. --clip 1)");
        }

        /** Validation loss under the current weights; {@code best.safetensors} when it improved, {@code last.safetensors} always. */
        void validate() {
            double v = updater.evaluate(valid, carried == null ? null : zeroState(model, cfg.batch())).mean();
            metrics.add(new Metrics.Row("valid", step, epoch, v, Double.NaN, Double.NaN, Double.NaN, elapsed()));
            if (!Double.isFinite(v) || v > divergedLoss) {   // every process has the same v
                refuseDivergedValidation(v);
                return;
            }
            parallel.checkSync(step, params, adam);   // a checkpoint only of weights every process agrees on
            Saved saved;
            long before = lastSaved;
            guard.lock();
            try {
                boolean improved = v < best;
                if (improved) {
                    best = v;
                    bestStep = step;
                }
                updater.sync();
                saved = trySave(improved, position());
                if (saved.ok()) lastSaved = step;
                metrics.flush();
                console.line(String.format(Locale.ROOT, "step %d: valid loss %.4f  ppl %.2f%s", step, v, Math.exp(v),
                        improved ? "  (best, saved)" : String.format(Locale.ROOT, "  (best %.2f at step %d)", Math.exp(best), bestStep)));
            } finally {
                guard.unlock();
            }
            if (!settle(saved)) lastSaved = before;   // the leader's write failed and the run goes on
        }

        /** A validation loss that is not finite or above {@link #divergedLoss}: nothing is saved; the run stops, or goes on (skip). */
        private void refuseDivergedValidation(double v) {
            metrics.flush();
            String what = String.format(Locale.ROOT, "step %d: the validation loss (%s) is %s: the weights have diverged", step, v,
                    Double.isFinite(v) ? String.format(Locale.ROOT, "above %.0f × ln V = %.1f", DIVERGED, divergedLoss) : "not finite");
            if (faults.onNan() == FaultPolicy.OnNan.SKIP) {
                console.line(what + "; not saved, training goes on (--on-nan skip)");
                return;
            }
            throw new TrainingHalted(what + "; they were not saved and " + kept(lastSaved) + ": " + lowerLrOrClip(), null);
        }

        boolean epochEnded() {
            return batchIndex >= epochBatches.size();
        }

        /** The epoch's summary line. */
        void endEpoch() {
            double seconds = trainNanos / 1e9;
            console.line(String.format(Locale.ROOT, "epoch %d/%d done: train loss %.4f (ppl %.2f), best valid ppl %.2f at step %d, %s elapsed, %s",
                    epoch + 1, cfg.epochs(), epochLossSum / epochSteps, Math.exp(epochLossSum / epochSteps), Math.exp(best), bestStep,
                    Progress.duration(elapsed()), Progress.throughput(targets / seconds, 1 - (double) targets / cells)));
        }

        /** A stop request: {@code last.safetensors} holds this step (unless it already does), and the resume line. */
        Result stopEarly() {
            updater.sync();
            if (lastSaved != step) {
                try {
                    writer.save(out.resolve(LAST), model, cfg, params, adam, position(), provenance);
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

        /** After the last step: the test loss of the best weights (or the final ones), the closing line and the plot. */
        Result finish() throws IOException {
            updater.sync();
            updater.close();   // a device's training memory goes before the test evaluation needs its own
            Path bestFile = out.resolve(BEST);
            Checkpoint bestCkpt = parallel.leader() && Files.isRegularFile(bestFile) ? Checkpoint.load(bestFile) : null;
            boolean haveBest = parallel.fromLeader(bestCkpt != null ? 1 : 0) == 1;   // rank 0 alone has the run's files
            Parameters weights = !haveBest ? params : parallel.fromLeader(bestCkpt != null ? bestCkpt.params() : null, params);
            List<Batch> testBatches = data.batches(Split.TEST, cfg.batch());
            float[][] start = carried == null ? null : zeroState(model, cfg.batch());
            double test = (parallel.distributed() ? parallel.evaluate(engine, weights, testBatches, model.padId(), start)
                    : evaluate(engine, weights, testBatches, start)).mean();
            metrics.add(new Metrics.Row("test", bestCkpt != null ? bestCkpt.state().step() : step, bestCkpt != null ? bestCkpt.state().epoch() : epoch, test,
                    Double.NaN, Double.NaN, Double.NaN, elapsed()));
            console.line(String.format(Locale.ROOT, "done: best valid ppl %.2f at step %d, test ppl %.2f (%s); checkpoints %s and %s%s",
                    Math.exp(best), bestStep, Math.exp(test), haveBest ? "best weights" : "final weights: no best checkpoint could be written", bestFile,
                    out.resolve(LAST), skipped > 0 ? "; " + skipped + " updates skipped (non-finite loss or gradient)" : ""));
            if (parallel.distributed()) console.line(reductionLine());
            metrics.flush();
            if (parallel.leader()) writePlot();
            return new Result(step, best, bestStep, test, params, skipped, false);
        }

        /** How long the gradient's all-reduce takes against the whole step (what data parallelism costs). */
        private String reductionLine() {
            double reduce = parallel.reduceSecondsPerStep(), stepSeconds = trainNanos / 1e9 / Math.max(1, sessionSteps);
            return String.format(Locale.ROOT, "all-reduce: %.1f ms per step over %d processes, %.1f%% of the %.0f ms step", 1e3 * reduce, parallel.size(),
                    100 * reduce / stepSeconds, 1e3 * stepSeconds);
        }

        /**
         * A stop signal under a launcher, on the signal's thread: the launcher kills every process about a
         * second later (mpirun), too soon to finish the step, so rank 0 saves the last whole step (every
         * process holds the same one) and every process ends with status 0, without waiting for the others.
         */
        void stopNow(String reason) {
            if (!parallel.leader()) Runtime.getRuntime().halt(0);
            guard.lock();   // the step being computed is not in the weights yet; the process ends holding the guard
            int status = 0;
            try {
                if (lastSaved != step) writer.save(out.resolve(LAST), model, cfg, params, adam, position(), provenance);
                metrics.flush();
                console.line(String.format(Locale.ROOT, "stopped by %s after step %d of %d: %s holds it; resume with ./run.sh train --resume %s",
                        reason, step, total, out.resolve(LAST), out));
            } catch (IOException | RuntimeException e) {
                console.line(String.format(Locale.ROOT, "stopped by %s after step %d but could not write a checkpoint (%s); %s: resume with ./run.sh train --resume %s",
                        reason, step, e instanceof IOException io ? oneLine(io) : String.valueOf(e.getMessage()), kept(lastSaved), out));
                status = 1;
            }
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(status);
        }

        /** Wall time of the whole run so far, every session included. */
        double elapsed() {
            return resumedFrom.elapsedSeconds() + (System.nanoTime() - sessionStart) / 1e9;
        }

        /** Where the run stands now, as a checkpoint records it (an epoch that just ended resumes at the next one, from zero). */
        TrainState position() {
            return epochEnded() ? new TrainState(step, epoch + 1, 0, best, bestStep, elapsed(), skipped)
                    : new TrainState(step, epoch, batchIndex, best, bestStep, elapsed(), skipped, carried);
        }

        /**
         * Writes {@code best.safetensors} (when {@code improved}) and {@code last.safetensors}, each atomically.
         *
         * @return false when a write failed and {@link FaultPolicy.OnSaveError#CONTINUE} lets the run go on
         * @throws TrainingHalted when a write failed and the policy is to stop
         */
        private boolean save(boolean improved, TrainState now) {
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

        /** A save's outcome on this process: written (or not this process's to write), or not, and why the run must stop. */
        private record Saved(boolean ok, TrainingHalted halt) {}

        /**
         * {@link #save} by rank 0 alone. One process: a failure that stops the run is thrown here, as ever;
         * under a launcher it is kept for {@link #settle}, which every process reaches.
         */
        private Saved trySave(boolean improved, TrainState now) {
            if (!parallel.leader()) return new Saved(true, null);
            try {
                return new Saved(save(improved, now), null);
            } catch (TrainingHalted h) {
                if (!parallel.launched()) throw h;
                return new Saved(false, h);
            }
        }

        /**
         * Every process learns rank 0's outcome (a broadcast, outside the guard) and stops with it when its
         * policy says so.
         *
         * @return whether the checkpoint was written
         */
        private boolean settle(Saved saved) {
            if (!parallel.launched()) return saved.ok();
            long outcome = parallel.fromLeader(saved.halt() != null ? 2 : saved.ok() ? 0 : 1);
            if (outcome == 2) throw saved.halt() != null ? saved.halt() : new TrainingHalted("rank 0 could not write a checkpoint", null);
            return outcome == 0;
        }
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
        return String.format(Locale.ROOT, "%s %s %dx%d %s%s, batch %d, lr %.3g %s (wd %.3g), schedule %s%s", model.cell().id(), model.block().id(), model.layers(),
                model.hidden(), cfg.method().id(), cfg.lambdaUpdate() > 0 ? String.format(Locale.ROOT, " (λ from the Jacobian every %d steps, ≤ %s)", cfg.lambdaUpdate(), cfg.lambdaMax()) : "",
                cfg.batch(), cfg.lr(), cfg.optimizer().id(), cfg.weightDecay(), cfg.schedule(), cfg.clip() > 0 ? ", clip " + cfg.clip() : "");
    }
}
