package dsf4j.engine.reference;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import static dsf4j.engine.reference.Activations.sigmoid;

/**
 * PyTorch's LSTMCell, gate blocks in the order i, f, g, o:
 * <pre>
 * [i f g o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh        [B, 4H]
 * i, f, o = σ(·),  g = tanh(·)
 * c' = f ⊙ c + i ⊙ g
 * h' = o ⊙ tanh(c')
 * </pre>
 * The layer's state and output is s = concat(h, c), D = 2H, so DSF's λ covers both halves.
 */
final class LstmCell extends PyTorchCell {

    LstmCell(int in, int hidden, CellWeights w, CellWeights grads) {
        super(in, hidden, w, grads);
    }

    @Override public int stateSize() { return 2 * hidden; }

    @Override
    public void forward(DMatrixRMaj x, DMatrixRMaj sPrev, DMatrixRMaj s) {
        int b = x.numRows, hh = hidden;
        DMatrixRMaj gates = gates(x, sPrev);
        for (int row = 0; row < b; row++) {
            int g = row * 4 * hh, st = row * 2 * hh;
            for (int j = 0; j < hh; j++) {
                double i = sigmoid(gates.data[g + j]);
                double f = sigmoid(gates.data[g + hh + j]);
                double gg = Math.tanh(gates.data[g + 2 * hh + j]);
                double o = sigmoid(gates.data[g + 3 * hh + j]);
                double c = f * sPrev.data[st + hh + j] + i * gg;
                s.data[st + j] = o * Math.tanh(c);
                s.data[st + hh + j] = c;
            }
        }
    }

    /** Pre-activations of all four gates, [B, 4H], from x and the h half of sPrev. */
    private DMatrixRMaj gates(DMatrixRMaj x, DMatrixRMaj sPrev) {
        int b = x.numRows;
        DMatrixRMaj gi = new DMatrixRMaj(b, 4 * hidden), gh = new DMatrixRMaj(b, 4 * hidden);
        w.inputGates(x, gi);
        w.hiddenGates(CommonOps_DDRM.extract(sPrev, 0, b, 0, hidden), gh);
        CommonOps_DDRM.addEquals(gi, gh);
        return gi;
    }

    @Override
    public void backward(DMatrixRMaj x, DMatrixRMaj sPrev, DMatrixRMaj delta, DMatrixRMaj dx, DMatrixRMaj dsPrev) {
        int b = x.numRows, hh = hidden;
        DMatrixRMaj gates = gates(x, sPrev);
        DMatrixRMaj dGates = new DMatrixRMaj(b, 4 * hh);   // [B, 4H] dL/d pre-activations
        DMatrixRMaj dcPrev = new DMatrixRMaj(b, hh);       // [B, H]  the f ⊙ c path
        for (int row = 0; row < b; row++) {
            int g = row * 4 * hh, st = row * 2 * hh;
            for (int j = 0; j < hh; j++) {
                double i = sigmoid(gates.data[g + j]);
                double f = sigmoid(gates.data[g + hh + j]);
                double gg = Math.tanh(gates.data[g + 2 * hh + j]);
                double o = sigmoid(gates.data[g + 3 * hh + j]);
                double cPrev = sPrev.data[st + hh + j];
                double tc = Math.tanh(f * cPrev + i * gg);
                double dh = delta.data[st + j];
                double dc = delta.data[st + hh + j] + dh * o * (1 - tc * tc);   // δ_c plus the path through h'
                dGates.data[g + j] = dc * gg * i * (1 - i);
                dGates.data[g + hh + j] = dc * cPrev * f * (1 - f);
                dGates.data[g + 2 * hh + j] = dc * i * (1 - gg * gg);
                dGates.data[g + 3 * hh + j] = dh * tc * o * (1 - o);
                dcPrev.data[row * hh + j] = dc * f;
            }
        }
        w.inputGatesBackward(x, dGates, grads, dx);
        DMatrixRMaj hPrev = CommonOps_DDRM.extract(sPrev, 0, b, 0, hh);
        DMatrixRMaj dhPrev = dsPrev == null ? null : new DMatrixRMaj(b, hh);
        w.hiddenGatesBackward(hPrev, dGates, grads, dhPrev);
        if (dsPrev != null) {
            CommonOps_DDRM.insert(dhPrev, dsPrev, 0, 0);
            CommonOps_DDRM.insert(dcPrev, dsPrev, 0, hh);
        }
    }

    /**
     * The h half: ∂h'_i/∂h_i = o_i(1 − o_i)·W_ho[i, i]·tanh c'_i + o_i(1 − tanh² c'_i)·∂c'_i/∂h_i, with
     * ∂c'_i/∂h_i = c_i·f_i(1 − f_i)·W_hf[i, i] + g_i·i_i(1 − i_i)·W_hi[i, i] + i_i(1 − g_i²)·W_hg[i, i];
     * the c half: ∂c'_i/∂c_i = f_i.
     */
    @Override
    public void jacobianDiagonal(DMatrixRMaj x, DMatrixRMaj sPrev, DMatrixRMaj out) {
        int b = x.numRows, hh = hidden;
        DMatrixRMaj gates = gates(x, sPrev);
        for (int row = 0; row < b; row++) {
            int g = row * 4 * hh, st = row * 2 * hh;
            for (int j = 0; j < hh; j++) {
                double i = sigmoid(gates.data[g + j]);
                double f = sigmoid(gates.data[g + hh + j]);
                double gg = Math.tanh(gates.data[g + 2 * hh + j]);
                double o = sigmoid(gates.data[g + 3 * hh + j]);
                double cPrev = sPrev.data[st + hh + j];
                double tc = Math.tanh(f * cPrev + i * gg);
                double dc = cPrev * f * (1 - f) * w.hiddenDiagonal(1, hh, j) + gg * i * (1 - i) * w.hiddenDiagonal(0, hh, j)
                        + i * (1 - gg * gg) * w.hiddenDiagonal(2, hh, j);
                out.data[st + j] = o * (1 - o) * w.hiddenDiagonal(3, hh, j) * tc + o * (1 - tc * tc) * dc;
                out.data[st + hh + j] = f;
            }
        }
    }
}
