package dsf4j.train;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.data.Split;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    @TempDir
    Path dir;

    /** 32 training rows of T = 6 in batches of 4: 8 steps per epoch. */
    static final TinyDataset DATA = new TinyDataset(7, 6, 32, 8, 5);

    static TrainConfig config(int epochs, long maxSteps, String schedule, int hidden) {
        return new TrainConfig("tiny", CellType.GRU, BlockType.RESIDUAL, 1, hidden, LambdaInit.DEFAULT, Method.DSF, DsfSolver.SCAN,
                6, 4, epochs, maxSteps, 0.02, OptimizerKind.ADAM, 1e-4, schedule, 1.0, 3, 1, 0, "reference");
    }

    static Trainer.Result train(TrainConfig c, Path out, Checkpoint resume, ByteArrayOutputStream console) throws IOException {
        ModelConfig m = Trainer.modelFor(c, DATA);
        try (Engine e = Engines.create(c.engine(), m, c.dsfSolver(), c.threads())) {
            return new Trainer(c, DATA, e, out, new Provenance("test", "unknown", DATA.provenance(), "train --test"),
                    new PrintStream(console, true, StandardCharsets.UTF_8), false).run(resume);
        }
    }

    @Test
    void trainsLowersPerplexityAndWritesTheRun() throws IOException {
        TrainConfig c = config(3, 0, "const", 8);
        ModelConfig m = Trainer.modelFor(c, DATA);
        double before;
        try (Engine e = Engines.create("reference", m, DsfSolver.SCAN, 1)) {
            before = Trainer.evaluate(e, ParamLayout.init(m, c.seed()), DATA.batches(Split.VALID, 4)).mean();
        }
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path out = dir.resolve("run");
        Trainer.Result r = train(c, out, null, console);

        assertEquals(24, r.steps());
        assertTrue(r.bestValidLoss() < before - 0.3, "valid loss " + before + " → " + r.bestValidLoss());
        assertTrue(Double.isFinite(r.testLoss()) && r.testLoss() < before, "test loss " + r.testLoss());
        for (String f : List.of(Trainer.BEST, Trainer.LAST, Metrics.CSV, Metrics.JSONL, Trainer.PLOT)) assertTrue(Files.isRegularFile(out.resolve(f)), f);

        List<Metrics.Row> rows = Metrics.read(out.resolve(Metrics.CSV));
        assertEquals(24, rows.stream().filter(x -> x.split().equals("train")).count());
        assertEquals(24, rows.stream().filter(x -> x.split().equals("valid")).count(), "24 steps / 50 evaluations → every step");
        assertEquals(1, rows.stream().filter(x -> x.split().equals("test")).count());
        assertEquals(r.bestValidLoss(), rows.stream().filter(x -> x.split().equals("valid")).mapToDouble(Metrics.Row::loss).min().orElseThrow(), 1e-6);
        assertEquals(rows.size(), Files.readAllLines(out.resolve(Metrics.JSONL)).size());

        Checkpoint best = Checkpoint.load(out.resolve(Trainer.BEST));
        assertEquals(r.bestStep(), best.state().step());
        assertEquals(c, best.train());
        String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("epoch 3/3 done: train loss"), text);
        assertTrue(text.contains("done: best valid ppl"), text);
    }

    /** N steps, stop, resume to 2N: the same weights, bit for bit, as 2N straight (across an epoch and an LR drop). */
    @Test
    void throughputCountsTheTargetsTheLossSeesAndReportsPaddingBeside() throws IOException {
        TrainConfig c = config(1, 0, "const", 8);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path out = dir.resolve("speed");
        train(c, out, null, console);

        long targets = 0, cells = 0;
        for (Batch b : DATA.trainBatches(c.batch(), c.seed(), 0)) {
            targets += b.targetCount(0);
            cells += b.tokenCount();
        }
        assertTrue(targets < cells, "the tiny corpus pads some rows: " + targets + " of " + cells);
        Metrics.Row last = Metrics.read(out.resolve(Metrics.CSV)).stream().filter(x -> x.split().equals("train")).reduce((a, b) -> b).orElseThrow();
        assertEquals(1 - (double) targets / cells, last.padding(), 1e-5, "padding = the share of B·T cells whose target is pad (6 digits in the csv)");
        double seconds = targets / last.tokensPerSecond();   // the rate is targets per training second ...
        assertTrue(seconds > 0 && seconds < last.elapsedSeconds() + 1e-9, "... over at most the run's wall time: " + seconds);
        String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("(?s).*epoch 1/1 done: .* tok/s, \\d+% padding.*"), text);
    }

    @Test
    void resumeContinuesBitIdentically() throws IOException {
        String schedule = "step:1:0.5";   // halves the rate at epoch 1 (step 8)
        Trainer.Result straight = train(config(3, 12, schedule, 8), dir.resolve("straight"), null, new ByteArrayOutputStream());
        Path split = dir.resolve("split");
        train(config(3, 6, schedule, 8), split, null, new ByteArrayOutputStream());
        Path halfFile = Files.copy(split.resolve(Trainer.LAST), dir.resolve("half.safetensors"));
        Checkpoint half = Checkpoint.load(halfFile);
        assertEquals(6, half.state().step());
        assertEquals(6, half.moments().steps());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Trainer.Result resumed = train(config(3, 12, schedule, 8), split, half, console);
        assertTrue(console.toString(StandardCharsets.UTF_8).startsWith("resuming at step 6 of " + split), console.toString(StandardCharsets.UTF_8));

        assertEquals(12, resumed.steps());
        for (Tensor t : straight.finalParams()) assertArrayEquals(t.data(), resumed.finalParams().data(t.name()), 0f, t.name());
        Checkpoint a = Checkpoint.load(dir.resolve("straight").resolve(Trainer.LAST)), b = Checkpoint.load(split.resolve(Trainer.LAST));
        for (Tensor t : a.moments().v()) assertArrayEquals(t.data(), b.moments().v().data(t.name()), 0f, t.name());
        assertEquals(a.state().step(), b.state().step());
        assertEquals(a.state().epoch(), b.state().epoch());
        assertEquals(a.state().batchIndex(), b.state().batchIndex());
        assertEquals(straight.bestValidLoss(), resumed.bestValidLoss(), 0);
        // the resumed metrics hold each step once
        assertEquals(12, Metrics.read(split.resolve(Metrics.CSV)).stream().filter(x -> x.split().equals("train")).count());

        // the comparison is sensitive: resuming without Adam's moments ends elsewhere
        Checkpoint again = Checkpoint.load(halfFile);
        Checkpoint noMoments = new Checkpoint(again.model(), again.train(), again.params(),
                new Checkpoint.Moments(again.moments().m().zerosLike(), again.moments().v().zerosLike(), 6), again.state(), again.provenance());
        Trainer.Result off = train(config(3, 12, schedule, 8), dir.resolve("off"), noMoments, new ByteArrayOutputStream());
        assertTrue(!Arrays.equals(straight.finalParams().data("head.weight"), off.finalParams().data("head.weight")));
    }

    @Test
    void resumeWithAnotherConfigIsAClearError() throws IOException {
        Path out = dir.resolve("run");
        train(config(1, 2, "const", 8), out, null, new ByteArrayOutputStream());
        Checkpoint last = Checkpoint.load(out.resolve(Trainer.LAST));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train(config(1, 4, "const", 16), out, last, new ByteArrayOutputStream()));
        assertEquals("--hidden 16 does not match the checkpoint's 8: drop the flag to continue that run, or start a new run with another --out", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> train(config(1, 4, "step:1", 8), out, last, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().startsWith("--schedule step:1 does not match the checkpoint's const"), e.getMessage());
    }

    /** A NaN loss stops the run before any update, and the last checkpoint stays as it was. */
    @Test
    void aNonFiniteLossStopsWithoutWritingBadWeights() throws IOException {
        TrainConfig c = config(1, 0, "const", 8);
        ModelConfig m = Trainer.modelFor(c, DATA);
        Path out = dir.resolve("run");
        try (Engine ref = Engines.create("reference", m, DsfSolver.SCAN, 1)) {
            Engine poisoned = new Engine() {
                int calls;
                public String name() { return "poisoned"; }
                public double lossAndGradient(Parameters p, Batch b, Method method, Parameters g) {
                    double loss = ref.lossAndGradient(p, b, method, g);
                    return ++calls == 4 ? Double.NaN : loss;
                }
                public LossSum evaluate(Parameters p, Batch b) { return ref.evaluate(p, b); }
                public Stepper stepper(Parameters p, int batch) { return ref.stepper(p, batch); }
            };
            Trainer t = new Trainer(c, DATA, poisoned, out, new Provenance("test", "unknown", "tiny", "x"), new PrintStream(new ByteArrayOutputStream()), false);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.run(null));
            assertTrue(e.getMessage().startsWith("step 4: the loss (NaN) or gradient norm"), e.getMessage());
        }
        Checkpoint last = Checkpoint.load(out.resolve(Trainer.LAST));
        assertEquals(3, last.state().step());
        for (Tensor p : last.params()) for (float x : p.data()) assertTrue(Float.isFinite(x));
    }
}
