package dsf4j.train;

import dsf4j.config.Method;
import dsf4j.engine.Engine;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A diverging run (the issue's --lr 1e4: loss 2.8e10, "ppl Infinity"): a training loss above 10 × ln V or a validation
 * loss that is not finite stops it (or is skipped, --on-nan skip) with a line suggesting a lower --lr or --clip, never
 * saving the diverged weights; the plot leaves non-finite points out instead of failing.
 */
class DivergenceTest {

    @TempDir
    Path dir;

    static final TinyDataset DATA = TrainerTest.DATA;
    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    static final double HUGE = 2.8e10;

    Trainer trainer(TrainConfig c, Path out, Engine engine) {
        return new Trainer(c, DATA, engine, out, new Provenance("test", "unknown", DATA.provenance(), "train --test"),
                new PrintStream(console, true, StandardCharsets.UTF_8), false);
    }

    /** The reference engine whose training loss is {@code loss} on the calls {@code picked} (1-based); evaluation as {@code evaluations} says. */
    static Engine diverging(Engine ref, IntPredicate picked, double loss, java.util.function.IntFunction<Double> evaluations) {
        return new Engine() {
            int calls;
            public String name() { return "diverging"; }
            public double lossAndGradient(Parameters p, Batch b, Method m, Parameters g) {
                double l = ref.lossAndGradient(p, b, m, g);
                return picked.test(++calls) ? loss : l;
            }
            public LossSum evaluate(Parameters p, Batch b) {
                LossSum s = ref.evaluate(p, b);
                Double v = evaluations.apply(calls);
                return v == null ? s : new LossSum(v * s.count(), s.count());
            }
            public Stepper stepper(Parameters p, int batch) { return ref.stepper(p, batch); }
        };
    }

    static double limit() {
        return Trainer.DIVERGED * Math.log(DATA.tokenizer().size());
    }

    @Test
    void aTrainingLossFarAboveAUniformPredictionsStopsTheRunWithoutSavingIt() throws IOException {
        TrainConfig c = TrainerFaultsTest.config(8);   // validation and checkpoints every 2 steps
        Path out = dir.resolve("run");
        try (Engine ref = TrainerFaultsTest.reference(c)) {
            TrainingHalted h = assertThrows(TrainingHalted.class, () -> trainer(c, out, diverging(ref, n -> n == 5, HUGE, n -> null)).run(null));
            assertEquals(String.format(Locale.ROOT, "step 5: the training loss 2.800e+10 is above 10 × ln V = %.1f (a uniform prediction's loss is %.2f): "
                    + "the run has diverged; these weights were not saved and %s holds the last good state (step 4): start again with a lower --lr "
                    + "(this run's is %s) or with --clip below 1.0", limit(), limit() / 10, out.resolve(Trainer.LAST), c.lr()), h.getMessage());
        }
        assertEquals(4, Checkpoint.load(out.resolve(Trainer.LAST)).state().step(), "the previous checkpoint is kept");
        List<Metrics.Row> rows = Metrics.read(out.resolve(Metrics.CSV));
        assertEquals(4, rows.stream().filter(r -> r.split().equals("train")).count(), "the diverged step is not logged as trained");
    }

    @Test
    void justBelowTheLimitTrainingGoesOn() throws IOException {
        TrainConfig c = TrainerFaultsTest.config(4);
        try (Engine ref = TrainerFaultsTest.reference(c)) {
            Trainer.Result r = trainer(c, dir.resolve("run"), diverging(ref, n -> n == 3, limit() * 0.999, n -> null)).run(null);
            assertEquals(4, r.steps());
            assertEquals(0, r.skippedUpdates());
        }
    }

    /** --on-nan skip: the update of a diverged step is skipped and counted exactly as a NaN one is (the same weights, bit for bit). */
    @Test
    void withSkipADivergedUpdateIsSkippedAsANonFiniteOneIs() throws IOException {
        TrainConfig c = TrainerFaultsTest.config(8);
        FaultPolicy skip = new FaultPolicy(FaultPolicy.OnNan.SKIP, FaultPolicy.OnSaveError.STOP);
        Trainer.Result diverged, nan;
        try (Engine ref = TrainerFaultsTest.reference(c)) {
            diverged = trainer(c, dir.resolve("diverged"), diverging(ref, n -> n == 3, HUGE, n -> null)).faults(skip).run(null);
        }
        try (Engine ref = TrainerFaultsTest.reference(c)) {
            nan = trainer(c, dir.resolve("nan"), diverging(ref, n -> n == 3, Double.NaN, n -> null)).faults(skip).run(null);
        }
        assertEquals(1, diverged.skippedUpdates());
        for (Tensor t : nan.finalParams()) assertArrayEquals(t.data(), diverged.finalParams().data(t.name()), 0f, t.name());
        assertEquals(7, Checkpoint.load(dir.resolve("diverged").resolve(Trainer.LAST)).moments().steps(), "Adam took the 7 other steps");
        String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(String.format(Locale.ROOT, "step 3: the loss 2.800e+10 is above 10 × ln V = %.1f: update skipped (1 so far; --on-nan skip)", limit())), text);
    }

    /** A validation loss of ∞ (the "ppl Infinity"): stop without saving, naming the last good checkpoint. */
    @Test
    void aNonFiniteValidationLossStopsTheRunWithoutSavingIt() throws IOException {
        TrainConfig f = TrainerFaultsTest.config(8);
        TrainConfig c = new TrainConfig(f.data(), f.cell(), f.block(), f.layers(), f.hidden(), f.lambdaInit(), f.method(), f.dsfSolver(), f.seq(), f.batch(),
                f.epochs(), f.maxSteps(), f.lr(), f.optimizer(), f.weightDecay(), f.schedule(), 0, f.seed(), f.threads(), f.evalEvery(), f.engine());   // no clipping
        Path out = dir.resolve("run");
        try (Engine ref = TrainerFaultsTest.reference(c)) {
            TrainingHalted h = assertThrows(TrainingHalted.class,
                    () -> trainer(c, out, diverging(ref, n -> false, 0, n -> n >= 3 ? Double.POSITIVE_INFINITY : null)).run(null));
            assertEquals("step 4: the validation loss (Infinity) is not finite: the weights have diverged; they were not saved and " + out.resolve(Trainer.LAST)
                    + " holds the last good state (step 2): start again with a lower --lr (this run's is " + c.lr() + ") or with --clip (e.g. --clip 1)", h.getMessage());
        }
        assertEquals(2, Checkpoint.load(out.resolve(Trainer.LAST)).state().step());
        assertEquals(2, Checkpoint.load(out.resolve(Trainer.BEST)).state().step());
    }

    /** With --on-nan skip the run goes on, saving nothing while validation is not finite; the plot is drawn without those points. */
    @Test
    void withSkipNonFiniteValidationsAreNotSavedAndThePlotLeavesThemOut() throws IOException {
        TrainConfig c = TrainerFaultsTest.config(8);
        Path out = dir.resolve("run");
        try (Engine ref = TrainerFaultsTest.reference(c)) {
            Trainer.Result r = trainer(c, out, diverging(ref, n -> false, 0, n -> n >= 3 && n < 7 ? Double.NaN : null))
                    .faults(new FaultPolicy(FaultPolicy.OnNan.SKIP, FaultPolicy.OnSaveError.STOP)).run(null);
            assertEquals(8, r.steps());
        }
        String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("step 4: the validation loss (NaN) is not finite: the weights have diverged; not saved, training goes on (--on-nan skip)"), text);
        assertTrue(text.contains("step 6: the validation loss (NaN)"), text);
        assertEquals(8, Checkpoint.load(out.resolve(Trainer.LAST)).state().step(), "validation at step 8 was finite again: saved");
        assertTrue(text.contains("plot: " + out.resolve(Trainer.PLOT)), text);
        assertNotNull(ImageIO.read(out.resolve(Trainer.PLOT).toFile()));
    }

    /** The metrics of the run (train loss 2.8e10, validation ppl ∞): the chart is drawn from the finite points; with none, it is empty. */
    @Test
    void thePlotSkipsNonFinitePoints() throws IOException {
        Path run = Files.createDirectories(dir.resolve("diverged"));
        try (Metrics m = Metrics.open(run, -1)) {
            m.add(new Metrics.Row("train", 1, 0, 9.2, 1e4, 3.0, 1000, 1));
            m.add(new Metrics.Row("train", 2, 0, HUGE, 1e4, 1e12, 1000, 2));
            m.add(new Metrics.Row("valid", 2, 0, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, Double.NaN, 3));
            m.add(new Metrics.Row("train", 3, 0, Double.NaN, 1e4, Double.NaN, Double.NaN, 4));
            m.add(new Metrics.Row("valid", 3, 0, 9.0, Double.NaN, Double.NaN, Double.NaN, 5));
        }
        Path png = dir.resolve("p.png");
        Plot.write(List.of(run), png);
        assertEquals(2 * Plot.WIDTH, ImageIO.read(png.toFile()).getWidth());
        assertEquals(List.of(1L), Plot.finite(Metrics.read(run.resolve(Metrics.CSV)).stream().filter(r -> r.split().equals("train")).toList())
                .stream().map(Metrics.Row::step).toList());

        Path none = Files.createDirectories(dir.resolve("none"));
        try (Metrics m = Metrics.open(none, -1)) {
            m.add(new Metrics.Row("train", 1, 0, HUGE, 1e4, 1e12, 1000, 1));
            m.add(new Metrics.Row("valid", 1, 0, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, Double.NaN, 2));
        }
        Plot.write(List.of(none), png);
        assertFalse(Files.size(png) == 0);
    }
}
