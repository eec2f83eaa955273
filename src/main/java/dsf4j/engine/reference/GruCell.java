package dsf4j.engine.reference;

import org.ejml.data.DMatrixRMaj;

import static dsf4j.engine.reference.Activations.sigmoid;

/**
 * PyTorch's GRUCell, gate blocks in the order r, z, n (rows [0,H), [H,2H), [2H,3H) of the weights):
 * <pre>
 * r  = σ(gi_r + gh_r)          gi = x·W_ihᵀ + b_ih   [B, 3H]
 * z  = σ(gi_z + gh_z)          gh = h·W_hhᵀ + b_hh   [B, 3H]
 * n  = tanh(gi_n + r ⊙ gh_n)   (r multiplies W_hn·h + b_hn, bias included)
 * h' = (1 − z) ⊙ n + z ⊙ h
 * </pre>
 * State s = h, D = H.
 */
final class GruCell extends PyTorchCell {

    GruCell(int in, int hidden, CellWeights w, CellWeights grads) {
        super(in, hidden, w, grads);
    }

    @Override public int stateSize() { return hidden; }

    @Override
    public void forward(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj h) {
        run(x, hPrev, h, null, null);
    }

    /** Forward that also returns the two gate matrices when asked (for the backward). */
    private void run(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj h, DMatrixRMaj giOut, DMatrixRMaj ghOut) {
        int b = x.numRows, hh = hidden;
        DMatrixRMaj gi = giOut != null ? giOut : new DMatrixRMaj(b, 3 * hh);
        DMatrixRMaj gh = ghOut != null ? ghOut : new DMatrixRMaj(b, 3 * hh);
        w.inputGates(x, gi);
        w.hiddenGates(hPrev, gh);
        for (int row = 0; row < b; row++) {
            int g = row * 3 * hh, s = row * hh;
            for (int j = 0; j < hh; j++) {
                double r = sigmoid(gi.data[g + j] + gh.data[g + j]);
                double z = sigmoid(gi.data[g + hh + j] + gh.data[g + hh + j]);
                double n = Math.tanh(gi.data[g + 2 * hh + j] + r * gh.data[g + 2 * hh + j]);
                h.data[s + j] = (1 - z) * n + z * hPrev.data[s + j];
            }
        }
    }

    @Override
    public void backward(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj delta, DMatrixRMaj dx, DMatrixRMaj dhPrev) {
        int b = x.numRows, hh = hidden;
        DMatrixRMaj gi = new DMatrixRMaj(b, 3 * hh), gh = new DMatrixRMaj(b, 3 * hh);
        run(x, hPrev, new DMatrixRMaj(b, hh), gi, gh);
        DMatrixRMaj dGi = new DMatrixRMaj(b, 3 * hh);   // [B, 3H] dL/d gi
        DMatrixRMaj dGh = new DMatrixRMaj(b, 3 * hh);   // [B, 3H] dL/d gh
        DMatrixRMaj dhDirect = new DMatrixRMaj(b, hh);  // [B, H] the z ⊙ h path
        for (int row = 0; row < b; row++) {
            int g = row * 3 * hh, s = row * hh;
            for (int j = 0; j < hh; j++) {
                double r = sigmoid(gi.data[g + j] + gh.data[g + j]);
                double z = sigmoid(gi.data[g + hh + j] + gh.data[g + hh + j]);
                double ghn = gh.data[g + 2 * hh + j];
                double n = Math.tanh(gi.data[g + 2 * hh + j] + r * ghn);
                double d = delta.data[s + j];
                double dn = d * (1 - z) * (1 - n * n);               // through tanh
                double dz = d * (hPrev.data[s + j] - n) * z * (1 - z); // through σ
                double dr = dn * ghn * r * (1 - r);
                dGi.data[g + j] = dr;
                dGi.data[g + hh + j] = dz;
                dGi.data[g + 2 * hh + j] = dn;
                dGh.data[g + j] = dr;
                dGh.data[g + hh + j] = dz;
                dGh.data[g + 2 * hh + j] = dn * r;
                dhDirect.data[s + j] = d * z;
            }
        }
        w.inputGatesBackward(x, dGi, grads, dx);
        w.hiddenGatesBackward(hPrev, dGh, grads, dhPrev);
        if (dhPrev != null) {
            for (int k = 0; k < dhPrev.data.length; k++) dhPrev.data[k] += dhDirect.data[k];
        }
    }

    /**
     * ∂h'_i/∂h_i = z_i + (h_i − n_i)·∂z_i/∂h_i + (1 − z_i)·∂n_i/∂h_i, with ∂z_i/∂h_i = z_i(1 − z_i)·W_hz[i, i] and
     * ∂n_i/∂h_i = (1 − n_i²)·(r_i·W_hn[i, i] + gh_n,i·r_i(1 − r_i)·W_hr[i, i]).
     */
    @Override
    public void jacobianDiagonal(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj out) {
        int b = x.numRows, hh = hidden;
        DMatrixRMaj gi = new DMatrixRMaj(b, 3 * hh), gh = new DMatrixRMaj(b, 3 * hh);
        run(x, hPrev, new DMatrixRMaj(b, hh), gi, gh);
        for (int row = 0; row < b; row++) {
            int g = row * 3 * hh, s = row * hh;
            for (int j = 0; j < hh; j++) {
                double r = sigmoid(gi.data[g + j] + gh.data[g + j]);
                double z = sigmoid(gi.data[g + hh + j] + gh.data[g + hh + j]);
                double ghn = gh.data[g + 2 * hh + j];
                double n = Math.tanh(gi.data[g + 2 * hh + j] + r * ghn);
                double dz = z * (1 - z) * w.hiddenDiagonal(1, hh, j);
                double dn = (1 - n * n) * (r * w.hiddenDiagonal(2, hh, j) + ghn * r * (1 - r) * w.hiddenDiagonal(0, hh, j));
                out.data[s + j] = z + (hPrev.data[s + j] - n) * dz + (1 - z) * dn;
            }
        }
    }
}
