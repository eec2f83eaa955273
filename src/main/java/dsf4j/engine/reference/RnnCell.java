package dsf4j.engine.reference;

import org.ejml.data.DMatrixRMaj;

import static dsf4j.engine.reference.Activations.*;

/**
 * PyTorch's RNNCell with tanh: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh). State s = h, D = H.
 */
final class RnnCell extends PyTorchCell {

    RnnCell(int in, int hidden, CellWeights w, CellWeights grads) {
        super(in, hidden, w, grads);
    }

    @Override public int stateSize() { return hidden; }

    @Override
    public void forward(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj h) {
        DMatrixRMaj gi = new DMatrixRMaj(x.numRows, hidden);    // [B, H] x·W_ihᵀ + b_ih
        DMatrixRMaj gh = new DMatrixRMaj(x.numRows, hidden);    // [B, H] h·W_hhᵀ + b_hh
        w.inputGates(x, gi);
        w.hiddenGates(hPrev, gh);
        for (int k = 0; k < h.data.length; k++) h.data[k] = Math.tanh(gi.data[k] + gh.data[k]);
    }

    @Override
    public void backward(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj delta, DMatrixRMaj dx, DMatrixRMaj dhPrev) {
        DMatrixRMaj h = new DMatrixRMaj(x.numRows, hidden);     // [B, H] recomputed at (hPrev, x)
        forward(x, hPrev, h);
        DMatrixRMaj dPre = new DMatrixRMaj(x.numRows, hidden);  // [B, H] dL/d(pre-activation)
        for (int k = 0; k < dPre.data.length; k++) dPre.data[k] = delta.data[k] * (1 - h.data[k] * h.data[k]);
        w.inputGatesBackward(x, dPre, grads, dx);
        w.hiddenGatesBackward(hPrev, dPre, grads, dhPrev);
    }

    /** ∂h'_i/∂h_i = (1 − h'_i²)·W_hh[i, i]. */
    @Override
    public void jacobianDiagonal(DMatrixRMaj x, DMatrixRMaj hPrev, DMatrixRMaj out) {
        DMatrixRMaj h = new DMatrixRMaj(x.numRows, hidden);
        forward(x, hPrev, h);
        for (int k = 0; k < h.data.length; k++) {
            out.data[k] = (1 - h.data[k] * h.data[k]) * w.hiddenDiagonal(0, hidden, k % hidden);
        }
    }
}
