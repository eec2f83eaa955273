package dsf4j.engine.reference;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/** y = x·Wᵀ + b with PyTorch's layout W [out, in], b [out]; rows are positions. */
final class Linear {

    private Linear() {}

    /**
     * @param x [N, in], read only
     * @param w [out, in], read only
     * @param b [1, out], read only
     * @return y, [N, out]
     */
    static DMatrixRMaj forward(DMatrixRMaj x, DMatrixRMaj w, DMatrixRMaj b) {
        DMatrixRMaj y = new DMatrixRMaj(x.numRows, w.numRows);
        CommonOps_DDRM.multTransB(x, w, y);
        for (int r = 0; r < y.numRows; r++) {
            for (int c = 0; c < y.numCols; c++) y.data[r * y.numCols + c] += b.data[c];
        }
        return y;
    }

    /**
     * dW += dyᵀ·x, db += Σ_rows dy.
     *
     * @return dx = dy·W, [N, in]
     */
    static DMatrixRMaj backward(DMatrixRMaj x, DMatrixRMaj w, DMatrixRMaj dy, DMatrixRMaj dw, DMatrixRMaj db) {
        CommonOps_DDRM.multAddTransA(dy, x, dw);
        for (int r = 0; r < dy.numRows; r++) {
            for (int c = 0; c < dy.numCols; c++) db.data[c] += dy.data[r * dy.numCols + c];
        }
        DMatrixRMaj dx = new DMatrixRMaj(x.numRows, x.numCols);
        CommonOps_DDRM.mult(dy, w, dx);
        return dx;
    }
}
