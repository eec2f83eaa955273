package dsf4j.engine.reference;

import dsf4j.TestData;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import dsf4j.grad.DiagonalSolver;
import dsf4j.grad.Dsf;
import dsf4j.model.ParamLayout;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One recurrent layer, built the way eq. 12–14 read: δ from the closed-form sum of eq. 14, and
 * dL/dθ = Σ_t δ_t · ∂f/∂θ(s_{t−1}, x_t), dL/dx_t = δ_t · ∂f/∂x(s_{t−1}, x_t) with the local derivatives
 * taken by finite differences of the cell function at the true s_{t−1} held fixed.
 */
class DsfLocalDerivativeTest {

    static final int B = 2, T = 6, H = 3;

    @ParameterizedTest
    @EnumSource(CellType.class)
    void layerBackwardEqualsEq14WithFiniteDifferenceLocalDerivatives(CellType type) {
        ModelConfig config = TestData.config(type, BlockType.RESIDUAL, 1, H, LambdaInit.parse("linspace:0.1:0.95"));
        ReferenceModel model = new ReferenceModel(config, ParamLayout.init(config, 4));
        ReferenceCell cell = model.cellOf(0);
        int d = cell.stateSize();
        double[] lambda = model.param("layers.0.rnn.lambda");
        Random rng = new Random(9);
        DMatrixRMaj[] xs = new DMatrixRMaj[T];
        for (int t = 0; t < T; t++) xs[t] = DMatrixRMaj.wrap(B, H, gaussian(rng, B * H));
        double[][] e = new double[T][];
        for (int t = 0; t < T; t++) e[t] = gaussian(rng, B * d);

        RecurrentLayer layer = new RecurrentLayer(cell);
        DMatrixRMaj[] states = layer.forward(xs, null);
        double[][] delta = closedFormEq14(e, lambda);

        // What the code computes.
        double[][] eCopy = java.util.Arrays.stream(e).map(double[]::clone).toArray(double[][]::new);
        DMatrixRMaj[] dxs = layer.backward(eCopy, new Dsf(), lambda, DiagonalSolver.of(DsfSolver.SCAN));

        // The same by definition: Σ_t δ_t · (f(s*_{t−1}, x_t; θ + ε) − f(s*_{t−1}, x_t; θ − ε)) / 2ε.
        java.util.function.DoubleSupplier projected = () -> {
            double s = 0;
            for (int t = 0; t < T; t++) {
                DMatrixRMaj prev = t == 0 ? new DMatrixRMaj(B, d) : states[t - 1];
                DMatrixRMaj out = new DMatrixRMaj(B, d);
                cell.forward(xs[t], prev, out);
                for (int c = 0; c < out.data.length; c++) s += delta[t][c] * out.data[c];
            }
            return s;
        };
        for (String full : model.names()) {
            if (!full.startsWith("layers.0.rnn.") || !model.isTrainable(full)) continue;   // the cell's own tensors
            String name = full.substring("layers.0.rnn.".length());
            double[] numeric = FiniteDifferences.gradient(model.param(full), projected);
            double err = TestData.relativeError(model.grad(full), numeric);
            assertTrue(err < 1e-8, type + " " + name + ": relative error " + err);
        }
        for (int t = 0; t < T; t++) {
            double[] numeric = FiniteDifferences.gradient(xs[t].data, projected);
            double err = TestData.relativeError(dxs[t].data, numeric);
            assertTrue(err < 1e-8, type + " dx_" + t + ": relative error " + err);
        }
    }

    /** δ_t = Σ_{k≥0} λ^k ⊙ e_{t+k} (eq. 14), summed directly. */
    static double[][] closedFormEq14(double[][] e, double[] lambda) {
        int d = lambda.length;
        double[][] delta = new double[e.length][e[0].length];
        for (int t = 0; t < e.length; t++) {
            for (int c = 0; c < e[0].length; c++) {
                for (int k = 0; t + k < e.length; k++) delta[t][c] += Math.pow(lambda[c % d], k) * e[t + k][c];
            }
        }
        return delta;
    }

    static double[] gaussian(Random rng, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextGaussian();
        return a;
    }
}
