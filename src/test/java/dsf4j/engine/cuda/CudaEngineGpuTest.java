package dsf4j.engine.cuda;

import dsf4j.bench.GpuCheck;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engine;
import dsf4j.engine.GradientProbe;
import dsf4j.engine.reference.ReferenceEngine;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.train.OptimizerKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cuda engine against the reference engine on a real GPU: loss and every gradient, every cell ×
 * block × method, relative error < 1e-5 with exact float32 GEMMs and < 2e-3 with TF32; the
 * device-resident Adam step against Adam applied on the host to the reference gradient; evaluate
 * and the stepper against the reference. Skipped (with the reason) where no GPU and libraries are.
 */
class CudaEngineGpuTest {

    @BeforeEach
    void needsAGpu() {
        String why = "";
        try {
            CudaRuntime.get();
        } catch (CudaUnavailableException e) {
            why = e.getMessage();
        }
        assumeTrue(why.isEmpty(), "no GPU here, the cuda engine was not run: " + why);
    }

    static Stream<Arguments> everyCellBlockMethod() {
        List<Arguments> out = new ArrayList<>();
        for (CellType c : CellType.values()) for (BlockType b : BlockType.values()) for (Method m : Method.values()) for (boolean tf32 : new boolean[] {false, true}) out.add(Arguments.of(c, b, m, tf32));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} tf32={3}")
    @MethodSource("everyCellBlockMethod")
    void gradientsMatchTheReferenceEngine(CellType cell, BlockType block, Method method, boolean tf32) {
        double bound = tf32 ? GpuCheck.TOLERANCE_TF32 : GpuCheck.TOLERANCE_FP32;
        for (int[] s : new int[][] {{8, 2, 3, 7}, {32, 2, 4, 19}}) {
            ModelConfig c = new ModelConfig(cell, block, s[1], s[0], 11, 0, LambdaInit.parse("linspace:0:1"));
            GpuCheck.Comparison r = GpuCheck.compare(c, method, tf32, s[2], s[3], 5);
            assertTrue(r.lossError() < bound, "loss relative error " + r.lossError());
            assertTrue(r.gradError() < bound, "gradient relative error " + r.gradError() + " in " + r.worstTensor());
        }
    }

    static Stream<Arguments> trainerSettings() {
        return Stream.of(Arguments.of(CellType.GRU, BlockType.TRANSFORMER, Method.DSF, OptimizerKind.ADAM, 1e-4, 0.05),
                Arguments.of(CellType.LSTM, BlockType.RESIDUAL, Method.BPTT, OptimizerKind.ADAMW, 0.1, 0.05),
                Arguments.of(CellType.RNN, BlockType.RESIDUAL, Method.FTBPTT, OptimizerKind.ADAM, 0.0, 0.0));
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} wd={4} clip={5}")
    @MethodSource("trainerSettings")
    void deviceTrainerStepsEqualTheHostLoop(CellType cell, BlockType block, Method method, OptimizerKind kind, double wd, double clip) {
        ModelConfig c = new ModelConfig(cell, block, 2, 16, 13, 0, LambdaInit.parse("linspace:0:1"));
        GpuCheck.Worst w = GpuCheck.compareTraining(c, method, kind, wd, clip, 3, 2);
        assertTrue(w.error() < 1e-4, w.error() + " in " + w.where());
    }

    @Test
    void streamModeCarriesTheStateAsTheReferenceDoes() {
        ModelConfig c = new ModelConfig(CellType.GRU, BlockType.TRANSFORMER, 2, 16, 13, 0, LambdaInit.parse("linspace:0:1"));
        GpuCheck.Worst w = GpuCheck.compareCarried(c, Method.BPTT, 3);
        assertTrue(w.error() < 1e-5, w.error() + " in " + w.where());
    }

    @Test
    void aNanLossLeavesTheWeightsAsTheyWere() {
        ModelConfig c = new ModelConfig(CellType.LSTM, BlockType.RESIDUAL, 2, 16, 13, 0, LambdaInit.parse("linspace:0:1"));
        GpuCheck.Worst w = GpuCheck.nonFiniteStepIsSkipped(c, 1);
        assertEquals(0, w.error(), w.where());
    }

    @Test
    void evaluateAndStepperMatchTheReference() {
        ModelConfig c = new ModelConfig(CellType.LSTM, BlockType.RESIDUAL, 2, 16, 13, 0, LambdaInit.parse("linspace:0:1"));
        Parameters p = ParamLayout.init(c, 4);
        Batch batch = GradientProbe.randomBatch(c, 3, 6, 4);
        try (ReferenceEngine ref = new ReferenceEngine(c, DsfSolver.SCAN); CudaEngine gpu = new CudaEngine(c, DsfSolver.SCAN, false)) {
            Engine.LossSum a = ref.evaluate(p, batch), b = gpu.evaluate(p, batch);
            assertEquals(a.count(), b.count());
            assertEquals(a.sum(), b.sum(), 1e-5 * Math.abs(a.sum()));
            Engine.Stepper rs = ref.stepper(p, 2), gs = gpu.stepper(p, 2);
            float[] la = new float[2 * c.vocab()], lb = new float[2 * c.vocab()];
            int[][] tokens = {{1, 2}, {3, 4}, {5, 6}};
            for (int[] tk : tokens) {
                rs.step(tk, la);
                gs.step(tk, lb);
                for (int i = 0; i < la.length; i++) assertEquals(la[i], lb[i], 1e-5, "logit " + i);
            }
        }
    }
}
