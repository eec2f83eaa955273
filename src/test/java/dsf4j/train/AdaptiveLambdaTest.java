package dsf4j.train;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --lambda-update through the trainer: the update sets λ to the clamped mean Jacobian diagonal of the
 * step's batch, λ is saved in the checkpoint, and a run stopped and resumed goes on with the same λ and
 * ends bit for bit where the straight run ends (as TrainerTest.resumeContinuesBitIdentically).
 */
class AdaptiveLambdaTest {

    @TempDir
    Path dir;

    static final TinyDataset DATA = TrainerTest.DATA;

    static TrainConfig config(String engine, Method method, long maxSteps, int every, double max) {
        return new TrainConfig("tiny", CellType.GRU, BlockType.RESIDUAL, 2, 8, LambdaInit.DEFAULT, method, DsfSolver.SCAN,
                6, 4, 3, maxSteps, 0.02, OptimizerKind.ADAM, 1e-4, "step:1:0.5", 1.0, 3, 2, 0, engine).withLambdaUpdate(every, max);
    }

    static Trainer.Result train(TrainConfig c, Path out, Checkpoint resume) throws IOException {
        ModelConfig m = Trainer.modelFor(c, DATA);
        try (Engine e = Engines.create(c.engine(), m, c.dsfSolver(), c.threads())) {
            return new Trainer(c, DATA, e, out, new Provenance("test", "unknown", DATA.provenance(), "train --test"),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false).run(resume);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "fast"})
    void lambdaAfterResumeIsLambdaBeforeAndTheRunEndsWhereTheStraightOneDoes(String engine) throws IOException {
        Method hybrid = Method.hybrid(2);
        Trainer.Result straight = train(config(engine, hybrid, 11, 3, 0.8), dir.resolve("straight"), null);
        Path split = dir.resolve("split");
        Trainer.Result half = train(config(engine, hybrid, 5, 3, 0.8), split, null);
        Checkpoint saved = Checkpoint.load(Files.copy(split.resolve(Trainer.LAST), dir.resolve("half.safetensors")));
        for (int l = 0; l < 2; l++) {
            String name = "layers." + l + ".rnn.lambda";
            assertArrayEquals(half.finalParams().data(name), saved.params().data(name), 0f, "the checkpoint holds the λ the run had: " + name);
            float[] init = ParamLayout.init(Trainer.modelFor(saved.train(), DATA), 3).data(name);
            assertFalse(Arrays.equals(init, saved.params().data(name)), "λ moved away from linspace: " + name);
            for (float x : saved.params().data(name)) assertTrue(x >= 0 && x <= 0.8f, name + " in [0, λ_max]: " + x);
        }
        Trainer.Result resumed = train(config(engine, hybrid, 11, 3, 0.8), split, saved);
        assertEquals(11, resumed.steps());
        for (Tensor t : straight.finalParams()) assertArrayEquals(t.data(), resumed.finalParams().data(t.name()), 0f, engine + " " + t.name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "fast"})
    void theFirstStepRunsOnTheClampedMeanJacobianDiagonalOfItsBatch(String engine) throws IOException {
        TrainConfig c = config(engine, Method.DSF, 1, 4, 0.5);
        train(c, dir.resolve("one"), null);
        Parameters after = Checkpoint.load(dir.resolve("one").resolve(Trainer.LAST)).params();

        ModelConfig m = Trainer.modelFor(c, DATA);
        Parameters init = ParamLayout.init(m, c.seed());
        Batch first = DATA.trainBatches(c.batch(), c.seed(), 0).get(0);
        double[][] mean = new double[2][m.stateSize()];
        try (Engine e = Engines.create(engine, m, DsfSolver.SCAN, 1)) {
            assertTrue(e.meanJacobianDiagonal(init, first, null, mean) > 0);
        }
        boolean clampedSome = false;
        for (int l = 0; l < 2; l++) {
            float[] lambda = after.data("layers." + l + ".rnn.lambda");
            for (int i = 0; i < lambda.length; i++) {
                assertEquals((float) Math.min(0.5, Math.max(0, mean[l][i])), lambda[i], 0f, "layer " + l + " unit " + i);
                clampedSome |= mean[l][i] > 0.5 || mean[l][i] < 0;
            }
        }
        assertTrue(Arrays.stream(mean).flatMapToDouble(Arrays::stream).anyMatch(x -> x > 0 && x < 0.5), "some λ taken as it is");
        assertTrue(clampedSome, "some λ clamped to λ_max");
    }
}
