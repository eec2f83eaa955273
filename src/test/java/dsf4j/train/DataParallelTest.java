package dsf4j.train;

import dsf4j.TestData;
import dsf4j.collective.JobFailure;
import dsf4j.collective.ThreadRanks;
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
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data parallelism over ranks that are threads ({@link ThreadRanks}): N processes each computing their
 * rows give the loss and gradient one process computes on the whole batch.
 *
 * <p>Tolerances (float32 gradients): the loss to 1e-8 relative (measured: 1.1e-10 at most); every
 * tensor's gradient to 5e-6 in norm-wise relative error ‖g_N − g_1‖ / ‖g_1‖ (measured: 1.3e-6 at most,
 * the fast engine's transformer block). The differences come from rounding alone: each
 * process's gradient is scaled by n_r / n and the sum of the N parts rounded to float, and the fast
 * engine's GEMMs sum over B·T/N rows instead of B·T.
 */
class DataParallelTest {

    static final double LOSS_TOL = 1e-8, GRAD_TOL = 5e-6;

    private static ModelConfig model(CellType cell, BlockType block) {
        return new ModelConfig(cell, block, 2, 6, 9, 0, LambdaInit.DEFAULT);
    }

    /** Loss and gradient of {@code b} on one process. */
    private static double single(String engine, ModelConfig m, Parameters p, Batch b, Method method, Parameters grads, float[][] state) {
        try (Engine e = Engines.create(engine, m, DsfSolver.SCAN, 1)) {
            return state == null ? e.lossAndGradient(p, b, method, grads) : e.lossAndGradient(p, b, method, grads, state);
        }
    }

    private record Part(double loss, Parameters grads, float[][] stateAfter) {}

    /** Loss and gradient of {@code b} shared by {@code n} ranks: every rank's result. */
    private static List<Part> shared(int n, String engine, ModelConfig m, Parameters p, Batch b, Method method, float[][] state) {
        return ThreadRanks.run(n, world -> {
            DataParallel dp = DataParallel.over(world);
            Parameters grads = p.zerosLike();
            float[][] after = state == null ? null : new float[state.length][state[0].length];
            try (Engine e = Engines.create(engine, m, DsfSolver.SCAN, 1)) {
                double loss = dp.lossAndGradient(e, p, b, method, grads, m.padId(), state, after);
                return new Part(loss, grads, after);
            }
        });
    }

    private static void assertClose(double loss1, Parameters g1, Part part, String what) {
        assertEquals(loss1, part.loss(), LOSS_TOL * Math.abs(loss1), what + ": loss");
        for (Tensor t : g1) {
            if (!t.trainable()) continue;
            double err = TestData.relativeError(doubles(t.data()), doubles(part.grads().data(t.name())));
            assertTrue(err <= GRAD_TOL, what + ": " + t.name() + " relative error " + err);
        }
    }

    static double[] doubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    @Test
    void twoProcessesOnHalfTheBatchGiveTheLossAndGradientOfOneOnTheWholeBatchForEveryMethod() {
        for (String engine : List.of("fast", "reference")) {
            for (CellType cell : CellType.values()) {
                for (BlockType block : BlockType.values()) {
                    ModelConfig m = model(cell, block);
                    Parameters p = ParamLayout.init(m, 11);
                    Batch b = TestData.batch(m.vocab(), 6, 7, 4);
                    for (Method method : Method.values()) {
                        Parameters g1 = p.zerosLike();
                        double l1 = single(engine, m, p, b, method, g1, null);
                        List<Part> parts = shared(2, engine, m, p, b, method, null);
                        String what = engine + " " + cell + " " + block + " " + method;
                        assertClose(l1, g1, parts.get(0), what);
                        sameBits(parts.get(0), parts.get(1), what);
                    }
                }
            }
        }
    }

    /** Every rank gets the same bits: what keeps their weights identical. */
    private static void sameBits(Part a, Part b, String what) {
        assertEquals(Double.doubleToRawLongBits(a.loss()), Double.doubleToRawLongBits(b.loss()), what);
        for (Tensor t : a.grads()) assertArrayEquals(t.data(), b.grads().data(t.name()), what + " " + t.name());
    }

    @Test
    void threeProcessesShareABatchThatDoesNotDivideEvenlyAndOneWithFewerRowsThanProcesses() {
        ModelConfig m = model(CellType.GRU, BlockType.RESIDUAL);
        Parameters p = ParamLayout.init(m, 2);
        for (int rows : new int[] {5, 2}) {   // 5 rows: 1, 2, 2; 2 rows: one process has none
            Batch b = TestData.batch(m.vocab(), rows, 5, 8);
            Parameters g1 = p.zerosLike();
            double l1 = single("fast", m, p, b, Method.DSF, g1, null);
            List<Part> parts = shared(3, "fast", m, p, b, Method.DSF, null);
            for (Part part : parts) assertClose(l1, g1, part, rows + " rows");
        }
    }

    @Test
    void streamModeCarriesEveryRowsStateThroughTheReduction() {
        ModelConfig m = model(CellType.LSTM, BlockType.RESIDUAL);
        Parameters p = ParamLayout.init(m, 3);
        Batch b = TestData.batch(m.vocab(), 4, 6, 9);
        float[][] start = new float[m.layers()][4 * m.stateSize()];
        for (float[] layer : start) for (int i = 0; i < layer.length; i++) layer[i] = (float) Math.sin(i + 1);
        float[][] state1 = Arrays.stream(start).map(float[]::clone).toArray(float[][]::new);
        Parameters g1 = p.zerosLike();
        double l1 = single("fast", m, p, b, Method.BPTT, g1, state1);
        List<Part> parts = shared(2, "fast", m, p, b, Method.BPTT, start);
        for (Part part : parts) {
            assertClose(l1, g1, part, "stream");
            for (int l = 0; l < state1.length; l++) {
                double err = TestData.relativeError(doubles(state1[l]), doubles(part.stateAfter()[l]));
                assertTrue(err < 1e-6, "layer " + l + " state " + err);
            }
        }
        assertEquals((float) Math.sin(1), start[0][0], "the state read is not written");
    }

    @Test
    void evaluationSplitAmongProcessesSumsToTheWholeEvaluation() {
        ModelConfig m = model(CellType.GRU, BlockType.TRANSFORMER);
        Parameters p = ParamLayout.init(m, 4);
        List<Batch> batches = List.of(TestData.batch(m.vocab(), 4, 6, 1), TestData.batch(m.vocab(), 3, 5, 2));
        Engine.LossSum one;
        try (Engine e = Engines.create("fast", m, DsfSolver.SCAN, 1)) {
            one = Trainer.evaluate(e, p, batches);
        }
        List<Engine.LossSum> sums = ThreadRanks.run(2, world -> {
            try (Engine e = Engines.create("fast", m, DsfSolver.SCAN, 1)) {
                return DataParallel.over(world).evaluate(e, p, batches, m.padId(), null);
            }
        });
        for (Engine.LossSum s : sums) {
            assertEquals(one.count(), s.count());
            assertEquals(one.sum(), s.sum(), 1e-6 * one.sum());
        }
    }

    @Test
    void aShareTakesFixedRowsAndDropsTheColumnsAfterItsLastTarget() {
        int[] in = new int[4 * 5], tg = new int[4 * 5];
        for (int i = 0; i < in.length; i++) in[i] = i + 1;
        tg[0] = 3;              // row 0: one target at t = 0
        tg[2 * 5 + 1] = 4;      // row 2: targets up to t = 1
        tg[3 * 5 + 4] = 0;      // row 3: none
        Batch b = new Batch(4, 5, in, tg);
        List<Batch> shares = ThreadRanks.run(2, world -> DataParallel.over(world).share(b, 0, true));
        assertEquals(2, shares.get(0).batch());
        assertEquals(1, shares.get(0).steps(), "rows 0-1 end after t = 0");
        assertArrayEquals(new int[] {1, 6}, shares.get(0).input());
        assertEquals(2, shares.get(1).steps(), "rows 2-3 end after t = 1");
        assertArrayEquals(new int[] {11, 12, 16, 17}, shares.get(1).input());
        Batch untrimmed = ThreadRanks.run(2, world -> DataParallel.over(world).share(b, 0, false)).get(1);
        assertEquals(5, untrimmed.steps(), "stream mode keeps every column");
        assertNull(ThreadRanks.run(3, world -> DataParallel.over(world).share(new Batch(1, 5, new int[5], new int[5]), 0, true)).get(0), "rank 0 of 3 has none of 1 row");
    }

    @Test
    void processesThatDisagreeAllStopAndOnlyRankZeroSaysWhy() {
        List<ThreadRanks.Outcome<Object>> out = ThreadRanks.outcomes(3, world -> {
            DataParallel.over(world).agree(List.of(new DataParallel.Claim(7, "agree on seven"),
                    new DataParallel.Claim(world.rank() == 2 ? 1 : 2, "were started with different settings")));
            return null;
        });
        for (int r = 0; r < 3; r++) {
            JobFailure f = assertInstanceOf(JobFailure.class, out.get(r).failure());
            assertEquals(r == 0, f.report(), "rank " + r);
            assertEquals(2, f.status());
            assertEquals("the 3 processes were started with different settings", f.getCause().getMessage());
        }
        assertTrue(ThreadRanks.outcomes(2, world -> {
            DataParallel.over(world).agree(List.of(new DataParallel.Claim(5, "x")));
            return "ok";
        }).stream().allMatch(o -> "ok".equals(o.value())), "the same claims pass");
    }

    @Test
    void aFailureOfOneProcessIsReportedByItAloneWithItsRankAndEndsTheOthersQuietly() {
        List<ThreadRanks.Outcome<Object>> out = ThreadRanks.outcomes(3, world -> {
            DataParallel dp = DataParallel.over(world);
            if (world.rank() == 1) throw dp.refuse(new IllegalArgumentException("no corpus here"));
            dp.agree(List.of());
            return null;
        });
        JobFailure one = assertInstanceOf(JobFailure.class, out.get(1).failure());
        assertTrue(one.report());
        assertEquals("rank 1 of 3: ", one.prefix());
        assertEquals("no corpus here", one.getCause().getMessage());
        for (int r : new int[] {0, 2}) {
            JobFailure f = assertInstanceOf(JobFailure.class, out.get(r).failure());
            assertFalse(f.report(), "rank " + r + " is silent");
            assertEquals(2, f.status(), "every process ends with the failure's status");
        }
        List<ThreadRanks.Outcome<Object>> all = ThreadRanks.outcomes(2, world -> {
            throw DataParallel.over(world).refuse(new IllegalArgumentException("bad flag"));
        });
        assertTrue(((JobFailure) all.get(0).failure()).report());
        assertFalse(((JobFailure) all.get(1).failure()).report(), "the same failure everywhere: rank 0 alone says it");
    }

    @Test
    void checkSyncStopsEveryProcessWhenOnesWeightsDrift() {
        ModelConfig m = model(CellType.RNN, BlockType.RESIDUAL);
        List<ThreadRanks.Outcome<Object>> out = ThreadRanks.outcomes(2, world -> {
            Parameters p = ParamLayout.init(m, 1);
            Adam adam = new Adam(p, OptimizerKind.ADAM, 0);
            DataParallel dp = DataParallel.over(world);
            dp.checkSync(1, p, adam);   // identical: passes
            if (world.rank() == 1) p.data("head.bias")[0] = Math.nextUp(p.data("head.bias")[0]);
            dp.checkSync(2, p, adam);
            return null;
        });
        for (ThreadRanks.Outcome<Object> o : out) {
            TrainingHalted h = assertInstanceOf(TrainingHalted.class, o.failure());
            assertTrue(h.getMessage().startsWith("step 2: the 2 processes' weights are no longer identical"), h.getMessage());
        }
    }

    @Test
    void oneProcessIsTheRunWithoutDataParallelism() {
        assertFalse(DataParallel.SINGLE.distributed());
        assertFalse(DataParallel.SINGLE.launched());
        IllegalArgumentException e = new IllegalArgumentException("x");
        assertEquals(e, DataParallel.SINGLE.refuse(e), "one process rethrows its own failure");
        assertThrows(IllegalArgumentException.class, () -> {
            throw DataParallel.SINGLE.refuse(e);
        });
    }
}
