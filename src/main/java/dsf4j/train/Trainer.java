package dsf4j.train;

import dsf4j.config.ConfigJson;
import dsf4j.config.ModelConfig;
import dsf4j.data.Dataset;
import dsf4j.data.Split;
import dsf4j.data.Tokenizer;
import dsf4j.engine.Engine;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The training loop: for each batch, loss and gradient from the {@link Engine}, global-norm
 * clipping, an {@link Adam} step at the {@link LrSchedule}'s rate; a validation every
 * {@link TrainConfig#evalInterval} steps (and at the last), with {@code best.safetensors} written
 * when validation improves and {@code last.safetensors} after every validation; at the end the test
 * perplexity of the best weights, and a plot.
 *
 * <p>Resuming from {@code last.safetensors} continues bit-identically: the weights, Adam's moments
 * and step count, and the position in the epoch's batch order (a function of seed and epoch) are
 * all in the checkpoint.
 */
public final class Trainer {

    public static final String BEST = "best.safetensors", LAST = "last.safetensors", PLOT = "perplexity.png";

    /** What a run achieved. Losses are mean cross-entropy in nats. */
    public record Result(long steps, double bestValidLoss, long bestStep, double testLoss, Parameters finalParams) {
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

    /** The network {@code cfg} describes, with the data's vocabulary size and pad id. */
    public static ModelConfig modelFor(TrainConfig cfg, Dataset data) {
        Tokenizer tok = data.tokenizer();
        return cfg.model(tok.size(), tok.padId());
    }

    /** Σ cross-entropy over every non-pad target of {@code batches}. */
    public static Engine.LossSum evaluate(Engine engine, Parameters params, List<Batch> batches) {
        Engine.LossSum s = new Engine.LossSum(0, 0);
        for (Batch b : batches) s = s.plus(engine.evaluate(params, b));
        return s;
    }

    /**
     * Trains from scratch ({@code resume == null}) or from a checkpoint of this same run (whose
     * {@link Checkpoint#params()} are then trained in place).
     *
     * @throws IllegalArgumentException when the checkpoint belongs to another configuration
     */
    public Result run(Checkpoint resume) throws IOException {
        Files.createDirectories(out);
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
        Parameters grads = params.zerosLike();

        List<Batch> epochBatches = data.trainBatches(cfg.batch(), cfg.seed(), st.epoch());
        long stepsPerEpoch = epochBatches.size();
        if (stepsPerEpoch == 0) throw new IllegalArgumentException("the training split gives no batch of " + cfg.batch() + " sequences: lower --batch");
        long total = cfg.totalSteps(stepsPerEpoch);
        LrSchedule schedule = LrSchedule.parse(cfg.schedule(), cfg.lr(), stepsPerEpoch, total);
        long evalEvery = cfg.evalInterval(total);
        List<Batch> valid = data.batches(Split.VALID, cfg.batch());

        long step = st.step();
        int epoch = st.epoch(), bi = st.batchIndex();
        double best = st.bestValidLoss();
        long bestStep = st.bestStep();
        long sessionStart = System.nanoTime(), trainNanos = 0, sessionSteps = 0, tokens = 0;
        double epochLossSum = 0;
        int epochSteps = 0;
        console.line(String.format(Locale.ROOT, "%s %s: %s, %d steps (%d per epoch), validation every %d steps, %s engine",
                resume == null ? "training" : "resuming at step " + step + " of", out, describe(), total, stepsPerEpoch, evalEvery, engine.name()));

        try (Metrics metrics = Metrics.open(out, resume == null ? -1 : step)) {
            while (step < total) {
                if (bi >= epochBatches.size()) {
                    epoch++;
                    bi = 0;
                    epochLossSum = 0;
                    epochSteps = 0;
                    epochBatches = data.trainBatches(cfg.batch(), cfg.seed(), epoch);
                }
                Batch b = epochBatches.get(bi);
                double lr = schedule.at(step);
                long t0 = System.nanoTime();
                double loss = engine.lossAndGradient(params, b, cfg.method(), grads);
                double norm = GradClip.clip(grads, cfg.clip());
                if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "step %d: the loss (%s) or gradient norm (%s) is not finite; the weights were not updated and %s holds the last good state: lower --lr or set --clip",
                            step + 1, loss, norm, out.resolve(LAST)));
                }
                adam.step(params, grads, lr);
                trainNanos += System.nanoTime() - t0;
                step++;
                bi++;
                sessionSteps++;
                tokens += b.tokenCount();
                epochLossSum += loss;
                epochSteps++;
                double seconds = trainNanos / 1e9;
                double elapsed = st.elapsedSeconds() + (System.nanoTime() - sessionStart) / 1e9;
                metrics.add(new Metrics.Row("train", step, epoch, loss, lr, norm, tokens / seconds, elapsed));
                console.step(step, total, epoch, cfg.epochs(), loss, lr, norm, tokens / seconds, (total - step) * seconds / sessionSteps);

                if (step % evalEvery == 0 || step == total) {
                    double v = evaluate(engine, params, valid).mean();
                    metrics.add(new Metrics.Row("valid", step, epoch, v, Double.NaN, Double.NaN, Double.NaN, elapsed));
                    boolean improved = v < best;
                    if (improved) {
                        best = v;
                        bestStep = step;
                    }
                    TrainState now = bi >= epochBatches.size()
                            ? new TrainState(step, epoch + 1, 0, best, bestStep, elapsed)
                            : new TrainState(step, epoch, bi, best, bestStep, elapsed);
                    if (improved) Checkpoint.save(out.resolve(BEST), model, cfg, params, adam, now, provenance);
                    Checkpoint.save(out.resolve(LAST), model, cfg, params, adam, now, provenance);
                    metrics.flush();
                    console.line(String.format(Locale.ROOT, "step %d: valid loss %.4f  ppl %.2f%s", step, v, Math.exp(v),
                            improved ? "  (best, saved)" : String.format(Locale.ROOT, "  (best %.2f at step %d)", Math.exp(best), bestStep)));
                }
                if (bi >= epochBatches.size()) {
                    console.line(String.format(Locale.ROOT, "epoch %d/%d done: train loss %.4f (ppl %.2f), best valid ppl %.2f at step %d, %s elapsed, %s tok/s",
                            epoch + 1, cfg.epochs(), epochLossSum / epochSteps, Math.exp(epochLossSum / epochSteps), Math.exp(best), bestStep,
                            Progress.duration(elapsed), Progress.compact(tokens / seconds)));
                }
            }
            Checkpoint bestCkpt = Checkpoint.load(out.resolve(BEST));
            double test = evaluate(engine, bestCkpt.params(), data.batches(Split.TEST, cfg.batch())).mean();
            double elapsed = st.elapsedSeconds() + (System.nanoTime() - sessionStart) / 1e9;
            metrics.add(new Metrics.Row("test", bestCkpt.state().step(), bestCkpt.state().epoch(), test, Double.NaN, Double.NaN, Double.NaN, elapsed));
            console.line(String.format(Locale.ROOT, "done: best valid ppl %.2f at step %d, test ppl %.2f (best weights); checkpoints %s and %s",
                    Math.exp(best), bestStep, Math.exp(test), out.resolve(BEST), out.resolve(LAST)));
            metrics.flush();
            writePlot();
            return new Result(step, best, bestStep, test, params);
        }
    }

    private void writePlot() {
        Path png = out.resolve(PLOT);
        try {
            Plot.write(List.of(out), png);
            console.line("plot: " + png);
        } catch (IOException | RuntimeException e) {
            console.line("plot not written (" + e.getMessage() + "); the run itself is saved");
        }
    }

    private String describe() {
        return String.format(Locale.ROOT, "%s %s %dx%d %s, batch %d, lr %.3g %s (wd %.3g), schedule %s%s", model.cell().id(), model.block().id(), model.layers(),
                model.hidden(), cfg.method().id(), cfg.batch(), cfg.lr(), cfg.optimizer().id(), cfg.weightDecay(), cfg.schedule(),
                cfg.clip() > 0 ? ", clip " + cfg.clip() : "");
    }
}
