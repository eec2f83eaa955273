package dsf4j.engine.reference;

import org.ejml.data.DMatrixRMaj;

/**
 * One step of a recurrent cell, s_t = f(s_{t−1}, x_t; θ), on a batch of B rows, with its local
 * backward beside it. Row-vector convention: x [B, in], s [B, D].
 */
public interface ReferenceCell {

    /** D, the width of the state s (and of the layer's output). */
    int stateSize();

    /** The width of x. */
    int inputSize();

    /**
     * s = f(sPrev, x).
     *
     * @param x     [B, in], read only
     * @param sPrev [B, D], read only
     * @param s     [B, D], output, overwritten
     */
    void forward(DMatrixRMaj x, DMatrixRMaj sPrev, DMatrixRMaj s);

    /**
     * The local backward of one step at (sPrev, x), sPrev held fixed:
     * dθ += δ·∂f/∂θ, dx = δ·∂f/∂x, and dsPrev = δ·∂f/∂sPrev when dsPrev is not null.
     *
     * @param x      [B, in], read only
     * @param sPrev  [B, D], read only
     * @param delta  δ, [B, D], read only
     * @param dx     [B, in], output, overwritten
     * @param dsPrev [B, D], output, overwritten; may be null
     */
    void backward(DMatrixRMaj x, DMatrixRMaj sPrev, DMatrixRMaj delta, DMatrixRMaj dx, DMatrixRMaj dsPrev);

    /**
     * The diagonal of the step's Jacobian J = ∂s/∂sPrev at (sPrev, x), in closed form: the part of
     * BPTT's dense product (eq. 11) that DSF's fixed λ stands in for (eq. 13).
     *
     * @param x     [B, in], read only
     * @param sPrev [B, D], read only
     * @param out   [B, D], output, overwritten: out[b, i] = ∂s_i/∂sPrev_i of row b
     */
    void jacobianDiagonal(DMatrixRMaj x, DMatrixRMaj sPrev, DMatrixRMaj out);
}
