package dsf4j.train;

import dsf4j.collective.Collective;
import dsf4j.collective.ThreadRanks;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.data.Dataset;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole training runs shared by processes that are threads ({@link ThreadRanks}; the same runs under
 * mpirun are {@code MpiTrainingTest}'s): the weights match one process's to float rounding (relative
 * error per tensor below 1e-5 after 16 Adam steps; measured 7e-8 to 1.6e-7), two runs give the same bits,
 * a resume on the same number of processes is bit-identical, on another it works, and only rank 0
 * writes anything.
 */
class DataParallelTrainerTest {

    @TempDir
    Path dir;

    /** 32 training rows of T = 6, batches of 4: 8 steps per epoch. */
    static final TinyDataset DATA = TrainerTest.DATA;

    static TrainConfig config(long maxSteps) {
        return new TrainConfig("tiny", CellType.GRU, BlockType.RESIDUAL, 2, 8, LambdaInit.DEFAULT, Method.DSF, DsfSolver.SCAN,
                6, 4, 2, maxSteps, 0.02, OptimizerKind.ADAM, 1e-4, "const", 1.0, 3, 1, 3, "fast");
    }

    /** One process's run; its console goes to {@code console}. */
    static Trainer.Result train(TrainConfig c, Dataset data, Path out, Checkpoint resume, DataParallel parallel, ByteArrayOutputStream console) {
        ModelConfig m = Trainer.modelFor(c, data);
        try (Engine e = Engines.create(c.engine(), m, c.dsfSolver(), c.threads())) {
            return new Trainer(c, data, e, out, new Provenance("test", "unknown", data.provenance(), "train --test"),
                    new PrintStream(console, true, StandardCharsets.UTF_8), false).parallel(parallel).checkSync(2).run(resume);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** A run on {@code n} thread ranks: rank 0 writes to {@code out}, the others are given folders of their own (which must stay empty). */
    List<String> trainOn(int n, TrainConfig c, Dataset data, Path out, Path resumeFrom) {
        return ThreadRanks.run(n, (Collective world) -> {
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            Path mine = world.rank() == 0 ? out : dir.resolve("rank" + world.rank() + "-" + out.getFileName());
            Checkpoint from = resumeFrom == null ? null : Checkpoint.load(resumeFrom.resolve(Trainer.LAST));
            train(c, data, mine, from, DataParallel.over(world), console);
            return console.toString(StandardCharsets.UTF_8);
        });
    }

    static void assertSameBits(Checkpoint a, Checkpoint b) {
        for (Tensor t : a.params()) assertArrayEquals(t.data(), b.params().data(t.name()), t.name());
        for (Tensor t : a.moments().m()) assertArrayEquals(t.data(), b.moments().m().data(t.name()), "m " + t.name());
        for (Tensor t : a.moments().v()) assertArrayEquals(t.data(), b.moments().v().data(t.name()), "v " + t.name());
        assertEquals(a.moments().steps(), b.moments().steps());
        assertEquals(a.state().step(), b.state().step());
    }

    /** max over tensors of ‖a − b‖ / ‖a‖. */
    static double weightError(Parameters a, Parameters b) {
        double worst = 0;
        for (Tensor t : a) {
            worst = Math.max(worst, dsf4j.TestData.relativeError(DataParallelTest.doubles(t.data()), DataParallelTest.doubles(b.data(t.name()))));
        }
        return worst;
    }

    @Test
    void twoProcessesTrainTheWeightsOneWouldToFloatRoundingAndTwiceGiveTheSameBits() throws IOException {
        TrainConfig c = config(0);
        Path one = dir.resolve("one"), a = dir.resolve("a"), b = dir.resolve("b");
        train(c, DATA, one, null, DataParallel.SINGLE, new ByteArrayOutputStream());
        List<String> consoles = trainOn(2, c, DATA, a, null);
        trainOn(2, c, DATA, b, null);

        Checkpoint ca = Checkpoint.load(a.resolve(Trainer.LAST)), cb = Checkpoint.load(b.resolve(Trainer.LAST));
        assertSameBits(ca, cb);
        assertEquals(2, ca.worldSize(), "the checkpoint records the number of processes");
        double err = weightError(Checkpoint.load(one.resolve(Trainer.LAST)).params(), ca.params());
        assertTrue(err < 1e-5, "16 Adam steps on 2 processes against 1: relative weight error " + err);

        assertTrue(consoles.get(0).contains("data parallel: threads, rank 0 of 2; each process takes 2 of every 4 sequences"), consoles.get(0));
        assertTrue(consoles.get(0).contains("all-reduce: "), consoles.get(0));
        assertEquals("", consoles.get(1), "rank 1 prints nothing");
        assertFalse(Files.exists(dir.resolve("rank1-a")), "rank 1 writes nothing");
        for (String f : List.of(Trainer.BEST, Metrics.CSV, Metrics.JSONL, Trainer.PLOT)) assertTrue(Files.isRegularFile(a.resolve(f)), f);
    }

    @Test
    void aResumeOnTheSameNumberOfProcessesIsBitIdenticalAndOnAnotherItContinuesAndSaysSo() throws IOException {
        Path straight = dir.resolve("straight"), split = dir.resolve("split");
        trainOn(2, config(0), DATA, straight, null);
        trainOn(2, config(5), DATA, split, null);   // stops after step 5, mid-epoch
        trainOn(2, config(0), DATA, split, split);
        assertSameBits(Checkpoint.load(straight.resolve(Trainer.LAST)), Checkpoint.load(split.resolve(Trainer.LAST)));

        Path onOne = dir.resolve("on-one");
        trainOn(2, config(5), DATA, onOne, null);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        train(config(0), DATA, onOne, Checkpoint.load(onOne.resolve(Trainer.LAST)), DataParallel.SINGLE, console);
        String out = console.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("the checkpoint was written by 2 processes and this run has 1: the batches are the same, now shared by 1 instead of 2 "
                + "(the gradient is summed in another order: the run continues, but not bit-identically to one on 2)"), out);
        Checkpoint resumed = Checkpoint.load(onOne.resolve(Trainer.LAST));
        assertEquals(16, resumed.state().step());
        assertEquals(1, resumed.worldSize());
        double err = weightError(Checkpoint.load(straight.resolve(Trainer.LAST)).params(), resumed.params());
        assertTrue(err < 1e-5, "2 processes then 1 against 2 throughout: relative weight error " + err);
    }

    @Test
    void streamModeSharesTheCarriedStateAndResumesBitIdentically() throws IOException {
        Dataset stream = StreamModeTest.STREAM;
        TrainConfig full = config(0), part = config(3);
        Path straight = dir.resolve("s-straight"), split = dir.resolve("s-split"), one = dir.resolve("s-one");
        trainOn(2, full, stream, straight, null);
        trainOn(2, part, stream, split, null);
        trainOn(2, full, stream, split, split);
        Checkpoint a = Checkpoint.load(straight.resolve(Trainer.LAST)), b = Checkpoint.load(split.resolve(Trainer.LAST));
        assertSameBits(a, b);
        train(full, stream, one, null, DataParallel.SINGLE, new ByteArrayOutputStream());
        double err = weightError(Checkpoint.load(one.resolve(Trainer.LAST)).params(), a.params());
        assertTrue(err < 1e-5, "stream mode, 2 processes against 1: relative weight error " + err);
    }
}
