package dsf4j.engine.reference;

import dsf4j.TestData;
import dsf4j.config.DsfSolver;
import dsf4j.grad.Bptt;
import dsf4j.grad.DiagonalSolver;
import dsf4j.grad.Dsf;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For a linear diagonal recurrence h_t = a ⊙ h_{t−1} + x_t·Wᵀ the Jacobian J_t is exactly diag(a), so
 * DSF with λ = a is not an approximation: it must equal BPTT.
 */
class LinearDiagonalCellTest {

    /** h' = a ⊙ h + x·Wᵀ, W [H, in], a [H]. */
    static final class LinearDiagonalCell implements ReferenceCell {
        final DMatrixRMaj w, dw;
        final double[] a;

        LinearDiagonalCell(DMatrixRMaj w, double[] a) {
            this.w = w;
            this.a = a;
            this.dw = new DMatrixRMaj(w.numRows, w.numCols);
        }

        @Override public int stateSize() { return w.numRows; }

        @Override public int inputSize() { return w.numCols; }

        @Override
        public void forward(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj h) {
            CommonOps_DDRM.multTransB(x, w, h);
            for (int k = 0; k < h.data.length; k++) h.data[k] += a[k % a.length] * hPrev.data[k];
        }

        @Override
        public void backward(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj delta, DMatrixRMaj dx, DMatrixRMaj dhPrev) {
            CommonOps_DDRM.multAddTransA(delta, x, dw);
            CommonOps_DDRM.mult(delta, w, dx);
            if (dhPrev != null) {
                for (int k = 0; k < delta.data.length; k++) dhPrev.data[k] = a[k % a.length] * delta.data[k];
            }
        }

        @Override
        public void jacobianDiagonal(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj out) {
            for (int k = 0; k < out.data.length; k++) out.data[k] = a[k % a.length];
        }
    }

    @ParameterizedTest
    @EnumSource(DsfSolver.class)
    void dsfWithLambdaEqualToTheDiagonalIsExact(DsfSolver solver) {
        int b = 3, steps = 9, in = 4, h = 5;
        Random rng = new Random(13);
        double[] a = {0, 0.3, 0.7, 0.95, 1};
        DMatrixRMaj w = DMatrixRMaj.wrap(h, in, DsfLocalDerivativeTest.gaussian(rng, h * in));
        DMatrixRMaj[] xs = new DMatrixRMaj[steps];
        for (int t = 0; t < steps; t++) xs[t] = DMatrixRMaj.wrap(b, in, DsfLocalDerivativeTest.gaussian(rng, b * in));
        double[][] e = new double[steps][];
        for (int t = 0; t < steps; t++) e[t] = DsfLocalDerivativeTest.gaussian(rng, b * h);

        LinearDiagonalCell bpttCell = new LinearDiagonalCell(w, a);
        RecurrentLayer bpttLayer = new RecurrentLayer(bpttCell);
        bpttLayer.forward(xs, null);
        DMatrixRMaj[] dxBptt = bpttLayer.backward(copy(e), new Bptt(), null, null);

        LinearDiagonalCell dsfCell = new LinearDiagonalCell(w, a);
        RecurrentLayer dsfLayer = new RecurrentLayer(dsfCell);
        dsfLayer.forward(xs, null);
        DMatrixRMaj[] dxDsf = dsfLayer.backward(copy(e), new Dsf(), a, DiagonalSolver.of(solver));

        double errW = TestData.relativeError(bpttCell.dw.data, dsfCell.dw.data);
        assertTrue(errW < 1e-12, "dW relative error " + errW);
        for (int t = 0; t < steps; t++) {
            double errX = TestData.relativeError(dxBptt[t].data, dxDsf[t].data);
            assertTrue(errX < 1e-12, "dx_" + t + " relative error " + errX);
        }
    }

    static double[][] copy(double[][] e) {
        return java.util.Arrays.stream(e).map(double[]::clone).toArray(double[][]::new);
    }
}
