package dsf4j.engine.cuda;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.DeviceTrainer;
import dsf4j.engine.Engine;
import dsf4j.engine.GradientProbe;
import dsf4j.engine.reference.ReferenceEngine;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
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

    @Test
    void oneDeviceAdamStepEqualsHostAdamOnTheReferenceGradient() {
        ModelConfig c = new ModelConfig(CellType.GRU, BlockType.TRANSFORMER, 2, 16, 13, 0, LambdaInit.parse("linspace:0:1"));
        Parameters p = ParamLayout.init(c, 2);
        Batch batch = GradientProbe.randomBatch(c, 3, 9, 2);
        double lr = 1e-2, wd = 1e-4;
        Parameters g = p.zerosLike();
        try (ReferenceEngine ref = new ReferenceEngine(c, DsfSolver.SCAN)) {
            ref.lossAndGradient(p, batch, Method.DSF, g);
        }
        Parameters expected = p.copy();
        for (Tensor t : expected) {
            if (!t.trainable()) continue;
            float[] w = t.data(), gr = g.data(t.name());
            for (int i = 0; i < w.length; i++) {   // t = 1: m̂ = g', v̂ = g'², step = lr·g'/(|g'| + eps)
                double gi = gr[i] + wd * w[i];
                w[i] = (float) (w[i] - lr * gi / (Math.abs(gi) + 1e-8));
            }
        }
        Parameters got = p.zerosLike();
        try (CudaEngine e = new CudaEngine(c, DsfSolver.SCAN, false); DeviceTrainer tr = e.trainer(p, DeviceTrainer.Adam.withWeightDecay(wd))) {
            tr.step(batch, Method.DSF, lr);
            assertEquals(1, tr.updates());
            tr.copyTo(got);
        }
        for (Tensor t : expected) {
            float[] a = t.data(), b = got.data(t.name());
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 2e-5 + 1e-4 * lr, t.name() + "[" + i + "]");
        }
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
