package dsf4j.train;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.DeviceTrainer;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.io.StepsFile;
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
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --dump-steps}: the dump records what the run did, everything a replay needs, and changes nothing. */
class StepDumpTest {

    @TempDir
    Path dir;

    /** 32 rows of T = 6 in batches of 4: 8 steps per epoch; with clipping and weight decay, a cosine schedule, validation every 4 steps. */
    static final TinyDataset DATA = new TinyDataset(7, 6, 32, 8, 5);

    static TrainConfig config(String engine, long maxSteps) {
        return new TrainConfig("tiny", CellType.LSTM, BlockType.TRANSFORMER, 2, 4, LambdaInit.DEFAULT, Method.DSF, DsfSolver.SCAN,
                6, 4, 2, maxSteps, 0.02, OptimizerKind.ADAMW, 0.1, "cosine:0.2:0.1", 0.5, 3, 1, 4, engine);
    }

    Trainer.Result train(TrainConfig c, Path out, StepDump dump, Checkpoint resume) throws IOException {
        ModelConfig m = Trainer.modelFor(c, DATA);
        try (Engine e = Engines.create(c.engine(), m, c.dsfSolver(), c.threads())) {
            return new Trainer(c, DATA, e, out, new Provenance("test", "unknown", DATA.provenance(), "train --test"),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false).dumpSteps(dump).run(resume);
        }
    }

    @Test
    void aRunWithTheDumpEqualsTheRunWithoutItBitForBit() throws IOException {
        for (String engine : List.of("reference", "fast")) {
            TrainConfig c = config(engine, 12);
            Parameters plain = train(c, dir.resolve(engine + "-plain"), null, null).finalParams();
            Parameters dumped = train(c, dir.resolve(engine + "-dumped"), new StepDump(5, StepDump.Weights.EVERY), null).finalParams();
            for (Tensor t : plain) assertArrayEquals(t.data(), dumped.data(t.name()), engine + " " + t.name());
            assertEquals(Checkpoint.load(dir.resolve(engine + "-plain").resolve(Trainer.LAST)).moments().steps(),
                    Checkpoint.load(dir.resolve(engine + "-dumped").resolve(Trainer.LAST)).moments().steps());
            assertFalse(Files.exists(dir.resolve(engine + "-plain").resolve(StepDump.FILE)), "no dump unless asked");
        }
    }

    @Test
    void theDumpHoldsTheRunsStartItsBatchesAndRatesAndReplaysBitForBit() throws IOException {
        TrainConfig c = config("fast", 12);
        Path out = dir.resolve("run");
        train(c, out, new StepDump(5, StepDump.Weights.EVERY), null);
        StepsFile f = StepsFile.read(out.resolve(StepDump.FILE));
        ModelConfig model = Trainer.modelFor(c, DATA);

        assertEquals(5, f.steps());
        assertEquals(model, f.config());
        assertEquals(c, TrainConfigJson.fromJson(f.train()));
        assertEquals("fast", f.extra().get("engine"));
        for (Tensor t : ParamLayout.init(model, c.seed())) assertArrayEquals(t.data(), f.initial().data(t.name()), "initial " + t.name());
        List<Batch> first = DATA.trainBatches(c.batch(), c.seed(), 0);
        LrSchedule schedule = LrSchedule.parse(c.schedule(), c.lr(), 8, 12);
        for (int k = 1; k <= 5; k++) {
            assertArrayEquals(first.get(k - 1).input(), f.batches().get(k - 1).input());
            assertArrayEquals(first.get(k - 1).target(), f.batches().get(k - 1).target());
            assertEquals(schedule.at(k - 1), f.lr()[k - 1]);
        }
        assertEquals(Set.of(1, 2, 3, 4, 5), f.weights().keySet());

        // What a replay does, here in dsf4j itself: the same steps from the dump give its losses, norms and weights exactly.
        Parameters params = f.initial().copy();
        Adam adam = new Adam(params, c.optimizer(), c.weightDecay());
        int clipped = 0;
        try (Engine e = Engines.create("fast", model, c.dsfSolver(), 1); Updater u = Updater.of(e, params, adam, c.clip())) {
            for (int k = 1; k <= 5; k++) {
                DeviceTrainer.Update up = u.step(f.batches().get(k - 1), c.method(), f.lr()[k - 1], null);
                assertEquals(f.loss()[k - 1], up.loss(), 0.0, "loss of step " + k);
                assertEquals(f.gradNorm()[k - 1], up.gradNorm(), 0.0, "gradient norm of step " + k);
                if (f.gradNorm()[k - 1] > c.clip()) clipped++;
                for (Tensor t : f.weights().get(k)) assertArrayEquals(t.data(), params.data(t.name()), "step " + k + " " + t.name());
            }
        }
        assertTrue(clipped > 0, "some steps clipped: the file holds the norm before clipping");
    }

    @Test
    void lastKeepsOnlyTheWeightsAfterStepK() throws IOException {
        Path out = dir.resolve("last");
        Trainer.Result r = train(config("reference", 4), out, new StepDump(4, StepDump.Weights.LAST), null);
        StepsFile f = StepsFile.read(out.resolve(StepDump.FILE));
        assertEquals(Set.of(4), f.weights().keySet());
        for (Tensor t : f.weights().get(4)) assertArrayEquals(r.finalParams().data(t.name()), t.data(), t.name());
    }

    @Test
    void refusesRunsItCannotRecordFromTheirStartBeforeWritingAnything() throws IOException {
        TrainConfig c = config("reference", 6);
        Path out = dir.resolve("too-long");
        var tooMany = assertThrows(IllegalArgumentException.class, () -> train(c, out, new StepDump(7, StepDump.Weights.EVERY), null));
        assertEquals("--dump-steps 7 is more than the run's 6 steps: lower --dump-steps to at most 6 (or raise --max-steps or --epochs)", tooMany.getMessage());
        assertFalse(Files.exists(out), "a refused run writes nothing");

        Path run = dir.resolve("resumable");
        train(c, run, null, null);
        var resumed = assertThrows(IllegalArgumentException.class, () -> train(config("reference", 8), run, new StepDump(2, StepDump.Weights.EVERY),
                Checkpoint.load(run.resolve(Trainer.LAST))));
        assertTrue(resumed.getMessage().startsWith("--dump-steps records a run from its first step, and cannot be combined with --resume"), resumed.getMessage());
        assertFalse(Files.exists(run.resolve(StepDump.FILE)));

        assertEquals("--dump-steps must be at least 1 (got 0)", assertThrows(IllegalArgumentException.class, () -> new StepDump(0, StepDump.Weights.EVERY)).getMessage());
        assertEquals("unknown --dump-weights 'all': use every (the weights after each step) or last (after step K only, for large models)",
                assertThrows(IllegalArgumentException.class, () -> StepDump.Weights.parse("all")).getMessage());
    }
}
