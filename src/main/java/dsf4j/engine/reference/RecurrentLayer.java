package dsf4j.engine.reference;

import dsf4j.grad.DiagonalSolver;
import dsf4j.grad.GradientMethod;
import dsf4j.grad.LocalBackward;
import dsf4j.grad.StepwiseBackward;
import org.ejml.data.DMatrixRMaj;

/**
 * A cell run over time, s_t = f(s_{t−1}, x_t) for t = 0 … T−1 (eq. 1), keeping the inputs and states
 * the backward needs. The backward takes e_t = ∂L/∂s_t from everything but s_{t+1} and lets a
 * {@link GradientMethod} (BPTT, FT-BPTT or DSF) carry it across time.
 */
final class RecurrentLayer {

    final ReferenceCell cell;
    private DMatrixRMaj[] xs;     // x_t, T × [B, in]
    private DMatrixRMaj[] states; // s_{t−1} for t = 0 … T: states[0] = s_0 (zero or carried), states[t+1] = s_t

    RecurrentLayer(ReferenceCell cell) {
        this.cell = cell;
    }

    /**
     * @param xs x_t, T × [B, in], kept (not copied) until the backward
     * @param s0 the initial state, [B, D], or null for s_0 = 0
     * @return s_t, T × [B, D]
     */
    DMatrixRMaj[] forward(DMatrixRMaj[] xs, DMatrixRMaj s0) {
        int b = xs[0].numRows, d = cell.stateSize();
        this.xs = xs;
        states = new DMatrixRMaj[xs.length + 1];
        states[0] = s0 != null ? s0 : new DMatrixRMaj(b, d);
        for (int t = 0; t < xs.length; t++) {
            states[t + 1] = new DMatrixRMaj(b, d);
            cell.forward(xs[t], states[t], states[t + 1]);
        }
        return java.util.Arrays.copyOfRange(states, 1, states.length);
    }

    /**
     * @param e      e_t, T × [B·D], overwritten with δ_t
     * @param method how the gradient crosses time
     * @param lambda the layer's λ, [D], read only (a method that solves eq. 13 reads it)
     * @param solver how eq. 13 is solved (likewise)
     * @return dL/dx_t, T × [B, in]
     */
    DMatrixRMaj[] backward(double[][] e, GradientMethod method, double[] lambda, DiagonalSolver solver) {
        int b = xs[0].numRows, d = cell.stateSize();
        DMatrixRMaj[] dxs = new DMatrixRMaj[xs.length];
        LocalBackward local = (t, delta, dPrev) -> {
            dxs[t] = new DMatrixRMaj(b, cell.inputSize());
            DMatrixRMaj dsPrev = dPrev == null ? null : DMatrixRMaj.wrap(b, d, dPrev);
            cell.backward(xs[t], states[t], DMatrixRMaj.wrap(b, d, delta), dxs[t], dsPrev);
        };
        method.backward(new StepwiseBackward(e, local, lambda, solver));
        return dxs;
    }
}
