package dsf4j.engine.fast;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.GradientProbe;
import dsf4j.engine.reference.ReferenceModel;
import dsf4j.grad.DiagonalSolver;
import dsf4j.grad.GradientMethod;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a gradient method may ask of a layer (grad.RecurrentBackward) means the same in the fast engine
 * as in the reference: a method the registry does not name, exact steps inside windows that no
 * Jacobian product crosses (the building block of a hybrid method), gives the reference's gradient;
 * windows of one step are FT-BPTT and one window is BPTT, bit for bit. Tagged "width".
 */
@Tag("width")
class RecurrentBackwardContractTest {

    static final int STEPS = 11, SPLIT = 4;

    /** Exact inside [SPLIT, T) and [0, SPLIT), nothing across. */
    static final GradientMethod TWO_WINDOWS = layer -> {
        layer.exactSteps(SPLIT, layer.steps());
        layer.exactSteps(0, SPLIT);
    };

    /** Every step its own window: δ_t = e_t. */
    static final GradientMethod ONE_STEP_WINDOWS = layer -> {
        for (int t = layer.steps() - 1; t >= 0; t--) layer.exactSteps(t, t + 1);
    };

    static final GradientMethod ONE_WINDOW = layer -> layer.exactSteps(0, layer.steps());

    static ModelConfig config(CellType cell) {
        return new ModelConfig(cell, BlockType.RESIDUAL, 2, 20, 29, 0, LambdaInit.DEFAULT);
    }

    static double fast(ModelConfig c, Parameters params, Batch batch, GradientMethod m, Parameters grads) {
        try (FastEngine engine = new FastEngine(c, DsfSolver.SCAN, 2)) {
            return engine.lossAndGradient(params, batch, m, grads, null);
        }
    }

    static double fast(ModelConfig c, Parameters params, Batch batch, Method m, Parameters grads) {
        try (FastEngine engine = new FastEngine(c, DsfSolver.SCAN, 2)) {
            return engine.lossAndGradient(params, batch, m, grads);
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void exactWindowsGiveTheReferencesGradient(CellType cell) {
        ModelConfig c = config(cell);
        Parameters params = ParamLayout.init(c, 4);
        Batch batch = GradientProbe.randomBatch(c, 18, STEPS, 5);   // 18 rows: more than one task of 16
        Parameters windows = params.zerosLike(), bptt = params.zerosLike();
        double loss = fast(c, params, batch, TWO_WINDOWS, windows);
        fast(c, params, batch, Method.BPTT, bptt);
        ReferenceModel ref = new ReferenceModel(c, params);
        assertEquals(ref.lossAndGradient(batch, TWO_WINDOWS, DiagonalSolver.of(DsfSolver.SCAN), null), loss, 1e-5 * loss);
        for (Tensor t : windows) {
            if (!t.trainable()) continue;
            double err = relativeError(ref.grad(t.name()), t.data());
            assertTrue(err < 1e-4, cell + " " + t.name() + ": relative error " + err);
        }
        double cut = relativeError(ref.grad("layers.0.rnn.weight_ih"), bptt.data("layers.0.rnn.weight_ih"));
        assertTrue(cut > 1e-4, "the windows must differ from BPTT (no product crosses step " + SPLIT + "): " + cut);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void oneStepWindowsAreFtBpttAndOneWindowIsBpttBitForBit(CellType cell) {
        ModelConfig c = config(cell);
        Parameters params = ParamLayout.init(c, 6);
        Batch batch = GradientProbe.randomBatch(c, 18, STEPS, 7);
        Parameters a = params.zerosLike(), b = params.zerosLike(), x = params.zerosLike(), y = params.zerosLike();
        assertEquals(fast(c, params, batch, Method.FTBPTT, a), fast(c, params, batch, ONE_STEP_WINDOWS, b));
        assertEquals(fast(c, params, batch, Method.BPTT, x), fast(c, params, batch, ONE_WINDOW, y));
        for (Tensor t : a) {
            assertArrayEquals(t.data(), b.data(t.name()), 0f, "FT-BPTT " + t.name());
            assertArrayEquals(x.data(t.name()), y.data(t.name()), 0f, "BPTT " + t.name());
        }
    }

    static double relativeError(double[] ref, float[] got) {
        double diff = 0, norm = 0;
        for (int i = 0; i < ref.length; i++) {
            diff += (got[i] - ref[i]) * (got[i] - ref[i]);
            norm += ref[i] * ref[i];
        }
        return Math.sqrt(diff / norm);
    }
}
