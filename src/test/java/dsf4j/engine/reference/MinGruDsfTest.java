package dsf4j.engine.reference;

import dsf4j.TestData;
import dsf4j.config.CellType;
import dsf4j.grad.Bptt;
import dsf4j.grad.GradientMethod;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * minGRU's Jacobian is exactly diagonal, J_t = diag(1 − z_t). So DSF's recurrence with a time-varying
 * diagonal, δ_t = e_t + (1 − z_{t+1}) ⊙ δ_{t+1}, is not an approximation for it: it must equal BPTT.
 * (DSF proper keeps λ fixed in time and across inputs, so for minGRU its whole error is the distance
 * between the fixed λ and the forget gate 1 − z_t.)
 */
class MinGruDsfTest {

    @Test
    void dsfWithTheTimeVaryingDiagonalOneMinusZEqualsBptt() {
        int b = 3, steps = 9, h = JacobianDiagonalTest.H;
        Random rng = new Random(17);
        DMatrixRMaj[] xs = new DMatrixRMaj[steps];
        for (int t = 0; t < steps; t++) xs[t] = JacobianDiagonalTest.gaussian(rng, b, h);
        double[][] e = new double[steps][];
        for (int t = 0; t < steps; t++) e[t] = DsfLocalDerivativeTest.gaussian(rng, b * h);

        ReferenceCell bpttCell = JacobianDiagonalTest.cell(CellType.MINGRU, 8);
        RecurrentLayer bptt = new RecurrentLayer(bpttCell);
        bptt.forward(xs, null);
        DMatrixRMaj[] dxBptt = bptt.backward(LinearDiagonalCellTest.copy(e), new Bptt(), null, null);

        ReferenceCell dsfCell = JacobianDiagonalTest.cell(CellType.MINGRU, 8);
        RecurrentLayer dsf = new RecurrentLayer(dsfCell);
        DMatrixRMaj[] states = dsf.forward(xs, null);
        double[][] a = new double[steps][];                       // a_t = diag(J_t) = 1 − z_t, [B·H]
        for (int t = 0; t < steps; t++) {
            DMatrixRMaj diag = new DMatrixRMaj(b, h);
            dsfCell.jacobianDiagonal(xs[t], t == 0 ? new DMatrixRMaj(b, h) : states[t - 1], diag);
            a[t] = diag.data;
        }
        double[][] delta = LinearDiagonalCellTest.copy(e);
        GradientMethod timeVaryingDsf = layer -> {
            for (int t = steps - 2; t >= 0; t--) {
                for (int c = 0; c < b * h; c++) delta[t][c] += a[t + 1][c] * delta[t + 1][c];   // δ_t = e_t + a_{t+1} ⊙ δ_{t+1}
            }
            layer.localSteps(0, layer.steps());
        };
        DMatrixRMaj[] dxDsf = dsf.backward(delta, timeVaryingDsf, null, null);

        double errW = TestData.relativeError(((PyTorchCell) bpttCell).grads.wIh().data, ((PyTorchCell) dsfCell).grads.wIh().data);
        double errB = TestData.relativeError(((PyTorchCell) bpttCell).grads.bIh().data, ((PyTorchCell) dsfCell).grads.bIh().data);
        assertTrue(errW < 1e-13 && errB < 1e-13, "dW_ih relative error " + errW + ", db_ih " + errB);
        for (int t = 0; t < steps; t++) {
            double errX = TestData.relativeError(dxBptt[t].data, dxDsf[t].data);
            assertTrue(errX < 1e-13, "dx_" + t + " relative error " + errX);
        }
    }
}
