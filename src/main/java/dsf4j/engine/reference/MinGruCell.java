package dsf4j.engine.reference;

import org.ejml.data.DMatrixRMaj;

import static dsf4j.engine.reference.Activations.sigmoid;

/**
 * minGRU (Feng et al. 2024, "Were RNNs All We Needed?"), gate blocks z, h̃ (rows [0,H), [H,2H) of
 * weight_ih); no gate reads h, so there is no weight_hh or bias_hh:
 * <pre>
 * gi = x·W_ihᵀ + b_ih               [B, 2H]
 * z  = σ(gi_z)
 * h̃  = gi_h̃
 * h' = (1 − z) ⊙ h + z ⊙ h̃
 * </pre>
 * State s = h, D = H. Its Jacobian ∂h'/∂h = diag(1 − z) is exactly diagonal: DSF with λ_t = 1 − z_t
 * would be BPTT.
 */
final class MinGruCell extends PyTorchCell {

    MinGruCell(int in, int hidden, CellWeights w, CellWeights grads) {
        super(in, hidden, w, grads);
    }

    @Override public int stateSize() { return hidden; }

    @Override
    public void forward(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj h) {
        DMatrixRMaj gi = gates(x);
        for (int row = 0; row < x.numRows; row++) {
            int g = row * 2 * hidden, s = row * hidden;
            for (int j = 0; j < hidden; j++) {
                double z = sigmoid(gi.data[g + j]), candidate = gi.data[g + hidden + j];
                h.data[s + j] = (1 - z) * hPrev.data[s + j] + z * candidate;
            }
        }
    }

    /** [z, h̃] pre-activations, [B, 2H]. */
    private DMatrixRMaj gates(DMatrixRMaj x) {
        DMatrixRMaj gi = new DMatrixRMaj(x.numRows, 2 * hidden);
        w.inputGates(x, gi);
        return gi;
    }

    @Override
    public void backward(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj delta, DMatrixRMaj dx, DMatrixRMaj dhPrev) {
        DMatrixRMaj gi = gates(x);
        DMatrixRMaj dGi = new DMatrixRMaj(x.numRows, 2 * hidden);   // [B, 2H] dL/d gi
        for (int row = 0; row < x.numRows; row++) {
            int g = row * 2 * hidden, s = row * hidden;
            for (int j = 0; j < hidden; j++) {
                double z = sigmoid(gi.data[g + j]), candidate = gi.data[g + hidden + j];
                double d = delta.data[s + j];
                dGi.data[g + j] = d * (candidate - hPrev.data[s + j]) * z * (1 - z);   // through σ
                dGi.data[g + hidden + j] = d * z;
                if (dhPrev != null) dhPrev.data[s + j] = d * (1 - z);                // δ·J, J = diag(1 − z)
            }
        }
        w.inputGatesBackward(x, dGi, grads, dx);
    }

    /** ∂h'_i/∂h_i = 1 − z_i (and every other entry of J is 0). */
    @Override
    public void jacobianDiagonal(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj out) {
        DMatrixRMaj gi = gates(x);
        for (int row = 0; row < x.numRows; row++) {
            for (int j = 0; j < hidden; j++) out.data[row * hidden + j] = 1 - sigmoid(gi.data[row * 2 * hidden + j]);
        }
    }
}
