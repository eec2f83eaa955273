package dsf4j.engine.fast;

import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.GradientProbe;
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

/**
 * hybrid:K on the fast engine, bit for bit: K = 1 is DSF and K ≥ T is BPTT, with every solver; and the
 * windows run together (step k of every window at once, FastRecurrentLayer.exactWindows) give exactly
 * what running them one after another gives (the interface's plain loop). Agreement with the reference
 * is in FastEngineTest. Tagged "width".
 */
@Tag("width")
class FastHybridTest {

    static final int STEPS = 11;

    static ModelConfig config(CellType cell) {
        return RecurrentBackwardContractTest.config(cell);
    }

    static double run(ModelConfig c, Parameters params, Batch batch, DsfSolver solver, GradientMethod m, Parameters grads) {
        try (FastEngine engine = new FastEngine(c, solver, 2)) {
            return engine.lossAndGradient(params, batch, m, grads, null);
        }
    }

    static void assertBitwise(ModelConfig c, Parameters params, Batch batch, DsfSolver solver, GradientMethod a, GradientMethod b, String what) {
        Parameters ga = params.zerosLike(), gb = params.zerosLike();
        assertEquals(run(c, params, batch, solver, a, ga), run(c, params, batch, solver, b, gb), what + " loss");
        for (Tensor t : ga) assertArrayEquals(t.data(), gb.data(t.name()), 0f, what + " " + t.name());
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void hybridOneIsDsfAndHybridTIsBpttBitForBit(CellType cell) {
        ModelConfig c = config(cell);
        Parameters params = ParamLayout.init(c, 6);
        Batch batch = GradientProbe.randomBatch(c, 18, STEPS, 7);   // 18 rows: more than one task of 16
        for (DsfSolver solver : DsfSolver.values()) {
            assertBitwise(c, params, batch, solver, GradientMethod.of(Method.DSF), GradientMethod.of(Method.hybrid(1)), cell + " " + solver + " hybrid:1 = dsf");
        }
        assertBitwise(c, params, batch, DsfSolver.SCAN, GradientMethod.of(Method.BPTT), GradientMethod.of(Method.hybrid(STEPS)), cell + " hybrid:T = bptt");
        assertBitwise(c, params, batch, DsfSolver.FFT, GradientMethod.of(Method.BPTT), GradientMethod.of(Method.hybrid(64)), cell + " fft hybrid:64 = bptt");
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void windowsRunTogetherGiveTheWindowLoopsBits(CellType cell) {
        ModelConfig c = config(cell);
        Parameters params = ParamLayout.init(c, 8);
        Batch batch = GradientProbe.randomBatch(c, 18, STEPS, 9);
        for (int k : new int[] {2, 3, 4, 10}) {   // 11 = 5·2 + 1 = 3·3 + 2 = 2·4 + 3 = 10 + 1: a short last window each time
            GradientMethod oneAfterAnother = layer -> {
                layer.solveDiagonal(k);
                for (int from = 0; from < layer.steps(); from += k) layer.exactSteps(from, Math.min(from + k, layer.steps()));
            };
            for (DsfSolver solver : k == 3 ? DsfSolver.values() : new DsfSolver[] {DsfSolver.SCAN}) {   // the scan's own path, the others' keep-and-restore
                assertBitwise(c, params, batch, solver, GradientMethod.of(Method.hybrid(k)), oneAfterAnother, cell + " " + solver + " hybrid:" + k);
            }
        }
    }
}
