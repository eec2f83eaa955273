package dsf4j.engine.reference;

import dsf4j.TestData;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.grad.DiagonalSolver;
import dsf4j.grad.Hybrid;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * hybrid:K (grad.Hybrid) on the reference engine: its two ends are the paper's methods, bit for bit
 * (K = 1 is DSF, K ≥ T is BPTT), and in between it is what its definition says, built directly with
 * finite-difference Jacobians and local derivatives.
 */
class HybridMethodTest {

    @ParameterizedTest
    @CsvSource({"RNN,RESIDUAL,SCAN", "GRU,TRANSFORMER,SCAN", "LSTM,RESIDUAL,PREFIX", "GRU,RESIDUAL,FFT", "MINGRU,TRANSFORMER,SCAN",
            "LSTM,TRANSFORMER,SCAN", "MINGRU,RESIDUAL,FFT", "RNN,TRANSFORMER,PREFIX"})
    void windowsOfOneStepAreDsfBitForBit(CellType cell, BlockType block, DsfSolver solver) {
        assertSameGradient(cell, block, Method.DSF, Method.hybrid(1), solver);
    }

    @ParameterizedTest
    @CsvSource({"RNN,RESIDUAL,7", "GRU,TRANSFORMER,7", "LSTM,RESIDUAL,7", "MINGRU,TRANSFORMER,7", "GRU,RESIDUAL,12", "LSTM,TRANSFORMER,100"})
    void oneWindowOfTStepsOrMoreIsBpttBitForBit(CellType cell, BlockType block, int window) {
        for (DsfSolver solver : DsfSolver.values()) assertSameGradient(cell, block, Method.BPTT, Method.hybrid(window), solver);
    }

    /** T = 7 in these tests. */
    private static void assertSameGradient(CellType cell, BlockType block, Method expected, Method hybrid, DsfSolver solver) {
        ModelConfig config = TestData.config(cell, block, 2, 4, LambdaInit.DEFAULT);
        Parameters w = ParamLayout.init(config, 5);
        Batch batch = TestData.batch(config.vocab(), 3, 7, 2);
        ReferenceModel a = new ReferenceModel(config, w), b = new ReferenceModel(config, w);
        assertEquals(a.lossAndGradient(batch, expected, DiagonalSolver.of(solver)), b.lossAndGradient(batch, hybrid, DiagonalSolver.of(solver)));
        for (String name : a.names()) assertArrayEquals(a.grad(name), b.grad(name), 0.0, hybrid + " vs " + expected + ": " + name);
    }

    static final int B = 2, T = 7, K = 3, H = 3;

    /**
     * One layer, windows [0, 3), [3, 6), [6, 7): δ^DSF by the closed-form sum of eq. 14; at each window's
     * last step δ = δ^DSF; inside, δ_t = e_t + δ_{t+1}·J_{t+1} with J the finite-difference Jacobian of
     * the cell at the true s_t; then dL/dθ = Σ_t δ_t·∂f/∂θ and dL/dx_t = δ_t·∂f/∂x_t by finite differences
     * of the cell at the true s_{t−1}. The layer's backward under {@link Hybrid} must give the same.
     */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void layerBackwardEqualsTheDefinitionBuiltWithFiniteDifferences(CellType type) {
        ModelConfig config = TestData.config(type, BlockType.RESIDUAL, 1, H, LambdaInit.parse("linspace:0.1:0.95"));
        ReferenceModel model = new ReferenceModel(config, ParamLayout.init(config, 4));
        BpttFiniteDifferenceTest.sharpen(model);   // Jacobians of order 1: a wrong product would show
        ReferenceCell cell = model.cellOf(0);
        int d = cell.stateSize();
        double[] lambda = model.param("layers.0.rnn.lambda");
        Random rng = new Random(11);
        DMatrixRMaj[] xs = new DMatrixRMaj[T];
        for (int t = 0; t < T; t++) xs[t] = DMatrixRMaj.wrap(B, H, DsfLocalDerivativeTest.gaussian(rng, B * H));
        double[][] e = new double[T][];
        for (int t = 0; t < T; t++) e[t] = DsfLocalDerivativeTest.gaussian(rng, B * d);

        RecurrentLayer layer = new RecurrentLayer(cell);
        DMatrixRMaj[] states = layer.forward(xs, null);
        double[][] delta = byDefinition(cell, xs, states, e, lambda);

        double[][] eCopy = java.util.Arrays.stream(e).map(double[]::clone).toArray(double[][]::new);
        DMatrixRMaj[] dxs = layer.backward(eCopy, new Hybrid(K), lambda, DiagonalSolver.of(DsfSolver.SCAN));
        for (int t = 0; t < T; t++) {
            double err = TestData.relativeError(delta[t], eCopy[t]);
            assertTrue(err < 1e-7, type + " δ_" + t + ": relative error " + err);
        }

        java.util.function.DoubleSupplier projected = () -> {   // Σ_t δ_t · f(s*_{t−1}, x_t; θ)
            double s = 0;
            for (int t = 0; t < T; t++) {
                DMatrixRMaj out = new DMatrixRMaj(B, d);
                cell.forward(xs[t], t == 0 ? new DMatrixRMaj(B, d) : states[t - 1], out);
                for (int c = 0; c < out.data.length; c++) s += delta[t][c] * out.data[c];
            }
            return s;
        };
        for (String full : model.names()) {
            if (!full.startsWith("layers.0.rnn.") || !model.isTrainable(full)) continue;
            double err = TestData.relativeError(model.grad(full), FiniteDifferences.gradient(model.param(full), projected));
            assertTrue(err < 1e-7, type + " " + full + ": relative error " + err);
        }
        for (int t = 0; t < T; t++) {
            double err = TestData.relativeError(dxs[t].data, FiniteDifferences.gradient(xs[t].data, projected));
            assertTrue(err < 1e-7, type + " dx_" + t + ": relative error " + err);
        }
        double[][] dsf = DsfLocalDerivativeTest.closedFormEq14(e, lambda);
        assertTrue(TestData.relativeError(dsf[0], delta[0]) > 1e-3, "inside a window the hybrid's δ must differ from DSF's");
    }

    /** δ as the hybrid method is defined, with J_{t+1} = ∂f/∂s(s_t, x_{t+1}) by central differences. */
    static double[][] byDefinition(ReferenceCell cell, DMatrixRMaj[] xs, DMatrixRMaj[] states, double[][] e, double[] lambda) {
        int d = cell.stateSize();
        double[][] dsf = DsfLocalDerivativeTest.closedFormEq14(e, lambda);
        double[][] delta = new double[T][];
        for (int from = 0; from < T; from += K) {
            int end = Math.min(from + K, T) - 1;
            delta[end] = dsf[end].clone();                                  // e_end + λ ⊙ δ^DSF_{end+1}
            for (int t = end - 1; t >= from; t--) {
                double[][][] j = jacobian(cell, xs[t + 1], states[t]);     // J_{t+1}[b][i][k] = ∂s_{t+1,i}/∂s_{t,k}
                delta[t] = e[t].clone();
                for (int b = 0; b < B; b++) {
                    for (int k = 0; k < d; k++) {
                        for (int i = 0; i < d; i++) delta[t][b * d + k] += delta[t + 1][b * d + i] * j[b][i][k];
                    }
                }
            }
        }
        return delta;
    }

    static double[][][] jacobian(ReferenceCell cell, DMatrixRMaj x, DMatrixRMaj sPrev) {
        int d = cell.stateSize();
        double[][][] j = new double[B][d][d];
        double eps = 1e-6;
        for (int b = 0; b < B; b++) {
            for (int k = 0; k < d; k++) {
                DMatrixRMaj plus = sPrev.copy(), minus = sPrev.copy(), sp = new DMatrixRMaj(B, d), sm = new DMatrixRMaj(B, d);
                plus.data[b * d + k] += eps;
                minus.data[b * d + k] -= eps;
                cell.forward(x, plus, sp);
                cell.forward(x, minus, sm);
                for (int i = 0; i < d; i++) j[b][i][k] = (sp.data[b * d + i] - sm.data[b * d + i]) / (2 * eps);
            }
        }
        return j;
    }
}
