package dsf4j.train;

import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
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
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Faults during a run: a failing disk, non-finite losses and gradients, a stop request; none loses saved work. */
class TrainerFaultsTest {

    @TempDir
    Path dir;

    static final TinyDataset DATA = TrainerTest.DATA;
    final ByteArrayOutputStream console = new ByteArrayOutputStream();

    /** 8 steps per epoch, validation and checkpoints every 2 steps. */
    static TrainConfig config(long maxSteps) {
        TrainConfig c = TrainerTest.config(3, maxSteps, "const", 8);
        return new TrainConfig(c.data(), c.cell(), c.block(), c.layers(), c.hidden(), c.lambdaInit(), c.method(), c.dsfSolver(), c.seq(), c.batch(),
                c.epochs(), c.maxSteps(), c.lr(), c.optimizer(), c.weightDecay(), c.schedule(), c.clip(), c.seed(), c.threads(), 2, c.engine());
    }

    Trainer trainer(TrainConfig c, Path out, Engine engine) {
        return new Trainer(c, DATA, engine, out, new Provenance("test", "unknown", DATA.provenance(), "train --test"),
                new PrintStream(console, true, StandardCharsets.UTF_8), false);
    }

    static Engine reference(TrainConfig c) {
        return Engines.create("reference", Trainer.modelFor(c, DATA), DsfSolver.SCAN, 1);
    }

    /** The reference engine whose loss (or, with {@code inGradient}, one gradient value) is NaN on the calls {@code poisoned} picks (1-based). */
    static Engine poisoned(Engine ref, IntPredicate poisoned, boolean inGradient) {
        return new Engine() {
            int calls;
            public String name() { return "poisoned"; }
            public double lossAndGradient(Parameters p, Batch b, Method m, Parameters g) {
                double loss = ref.lossAndGradient(p, b, m, g);
                if (!poisoned.test(++calls)) return loss;
                if (inGradient) g.data("head.bias")[0] = Float.POSITIVE_INFINITY;
                return inGradient ? loss : Double.NaN;
            }
            public LossSum evaluate(Parameters p, Batch b) { return ref.evaluate(p, b); }
            public Stepper stepper(Parameters p, int batch) { return ref.stepper(p, batch); }
        };
    }

    /** Writes checkpoints normally except on the calls {@code full} picks (1-based), which fail as a full disk does. */
    static Trainer.CheckpointWriter failing(IntPredicate full) {
        int[] calls = {0};
        return (path, model, train, params, adam, state, provenance) -> {
            if (full.test(++calls[0])) throw new IOException("No space left on device");
            Checkpoint.save(path, model, train, params, adam, state, provenance);
        };
    }

    @Test
    void aFullDiskStopsTheRunAndKeepsThePreviousCheckpoint() throws IOException {
        TrainConfig c = config(8);
        Path out = dir.resolve("run");
        try (Engine e = reference(c)) {
            // saves: step 2 best + last (calls 1, 2), step 4 best (3) + last (4): call 4 fails
            TrainingHalted h = assertThrows(TrainingHalted.class, () -> trainer(c, out, e).writer(failing(n -> n == 4)).run(null));
            assertEquals("step 4: could not write a checkpoint (No space left on device); the previous checkpoints in " + out + " are intact: "
                    + "free disk space (or fix the folder), then resume with ./run.sh train --resume " + out + " (or train with --on-save-error continue)", h.getMessage());
        }
        assertEquals(2, Checkpoint.load(out.resolve(Trainer.LAST)).state().step());
        try (Stream<Path> files = Files.list(out)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
        try (Engine e = reference(c)) {   // and the run goes on from it
            Trainer.Result r = trainer(c, out, e).run(Checkpoint.load(out.resolve(Trainer.LAST)));
            assertEquals(8, r.steps());
        }
    }

    @Test
    void withContinueAFailedSaveIsAWarningAndTheNextOneTriesAgain() throws IOException {
        TrainConfig c = config(8);
        Path out = dir.resolve("run");
        Trainer.Result r;
        try (Engine e = reference(c)) {
            r = trainer(c, out, e).faults(new FaultPolicy(FaultPolicy.OnNan.STOP, FaultPolicy.OnSaveError.CONTINUE)).writer(failing(n -> n >= 3 && n <= 5)).run(null);
        }
        assertEquals(8, r.steps());
        String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("warning: step 4: could not write a checkpoint (No space left on device); the previous checkpoints in " + out
                + " are intact; training goes on (--on-save-error continue) and tries again at the next checkpoint"), text);
        assertEquals(8, Checkpoint.load(out.resolve(Trainer.LAST)).state().step());
        assertTrue(Double.isFinite(r.testLoss()));
    }

    @Test
    void aNonFiniteGradientNormStopsWithTheStepAndSavesTheLastGoodState() throws IOException {
        TrainConfig c = config(8);
        Path out = dir.resolve("run");
        try (Engine ref = reference(c)) {
            TrainingHalted h = assertThrows(TrainingHalted.class, () -> trainer(c, out, poisoned(ref, n -> n == 3, true)).run(null));
            assertEquals("step 3: the loss (" + h.getMessage().split("[()]")[1] + ") or gradient norm (Infinity) is not finite; the weights were not updated and "
                    + out.resolve(Trainer.LAST) + " holds the last good state (step 2): resume with --on-nan skip to skip such updates, "
                    + "or start again with a lower --lr or with --clip", h.getMessage());
        }
        Checkpoint last = Checkpoint.load(out.resolve(Trainer.LAST));
        assertEquals(2, last.state().step());
        assertEquals(2, last.state().batchIndex(), "the batch that failed (the third, index 2) comes next");
    }

    /** --on-nan skip: the bad updates are skipped and counted, the run ends with finite weights and resumes bit-identically. */
    @Test
    void skipCountsTheSkippedUpdatesAndResumesBitIdentically() throws IOException {
        TrainConfig c = config(12);
        FaultPolicy skip = new FaultPolicy(FaultPolicy.OnNan.SKIP, FaultPolicy.OnSaveError.STOP);
        IntPredicate bad = n -> n == 3 || n == 9;
        Trainer.Result straight;
        try (Engine ref = reference(c)) {
            straight = trainer(c, dir.resolve("straight"), poisoned(ref, bad, false)).faults(skip).run(null);
        }
        assertEquals(12, straight.steps());
        assertEquals(2, straight.skippedUpdates());
        for (Tensor t : straight.finalParams()) for (float x : t.data()) assertTrue(Float.isFinite(x), t.name());
        List<Metrics.Row> rows = Metrics.read(dir.resolve("straight").resolve(Metrics.CSV));
        assertEquals(List.of(3L, 9L), rows.stream().filter(r -> r.split().equals(Metrics.SKIPPED)).map(Metrics.Row::step).toList());
        assertEquals(10, rows.stream().filter(r -> r.split().equals("train")).count());
        Checkpoint last = Checkpoint.load(dir.resolve("straight").resolve(Trainer.LAST));
        assertEquals(2, last.state().skippedUpdates());
        assertEquals(10, last.moments().steps(), "Adam took only the 10 good steps");
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("step 3: the loss (NaN) or gradient norm"), console.toString(StandardCharsets.UTF_8));

        // stopped after step 6, resumed to 12: the engine's calls restart at 1 in the new session, so step 9 is its call 3
        Path split = dir.resolve("split");
        StopRequest stop = new StopRequest();
        try (Engine ref = reference(c)) {
            Engine stopsAt6 = poisoned(ref, bad, false);
            Engine counting = new Engine() {
                int calls;
                public String name() { return "counting"; }
                public double lossAndGradient(Parameters p, Batch b, Method m, Parameters g) {
                    if (++calls == 6) stop.request("test");
                    return stopsAt6.lossAndGradient(p, b, m, g);
                }
                public LossSum evaluate(Parameters p, Batch b) { return ref.evaluate(p, b); }
                public Stepper stepper(Parameters p, int batch) { return ref.stepper(p, batch); }
            };
            Trainer.Result first = trainer(c, split, counting).faults(skip).stopWhen(stop).run(null);
            assertTrue(first.stopped());
            assertEquals(6, first.steps());
        }
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("stopped by test after step 6 of 12: " + split.resolve(Trainer.LAST)
                + " holds it; resume with ./run.sh train --resume " + split), console.toString(StandardCharsets.UTF_8));
        Trainer.Result resumed;
        try (Engine ref = reference(c)) {
            resumed = trainer(c, split, poisoned(ref, n -> n == 3, false)).faults(skip).run(Checkpoint.load(split.resolve(Trainer.LAST)));
        }
        assertEquals(2, resumed.skippedUpdates());
        for (Tensor t : straight.finalParams()) assertArrayEquals(t.data(), resumed.finalParams().data(t.name()), 0f, t.name());
    }

    @Test
    void aCheckpointIsNeverWrittenWithNonFiniteValues() throws IOException {
        TrainConfig c = config(8);
        ModelConfig m = Trainer.modelFor(c, DATA);
        Parameters p = ParamLayout.init(m, 1);
        Adam adam = new Adam(p, OptimizerKind.ADAM, 0);
        Path f = dir.resolve("c.safetensors");
        Checkpoint.save(f, m, c, p, adam, TrainState.START, new Provenance("t", "u", "d", "c"));
        byte[] before = Files.readAllBytes(f);
        p.data("head.weight")[3] = Float.NaN;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Checkpoint.save(f, m, c, p, adam, TrainState.START, new Provenance("t", "u", "d", "c")));
        assertEquals("not writing " + f + ": tensor head.weight holds NaN; the previous checkpoint is kept", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f));
    }
}
