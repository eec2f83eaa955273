package dsf4j.engine.reference;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The tensors of a recurrent cell, as EJML matrices that share the model's arrays, and the two dense
 * products every cell is built from. G gate blocks of H rows each in weight_ih; the first R of them
 * also read h through weight_hh (R = 0: no weight_hh or bias_hh, null here).
 *
 * @param wIh weight_ih, [G·H, in]
 * @param wHh weight_hh, [R·H, H], or null
 * @param bIh bias_ih, [1, G·H]
 * @param bHh bias_hh, [1, R·H], or null
 */
record CellWeights(DMatrixRMaj wIh, DMatrixRMaj wHh, DMatrixRMaj bIh, DMatrixRMaj bHh) {

    /** @param wHh null (and bHh too) for a cell without hidden gates */
    static CellWeights wrap(int gi, int gh, int in, int h, double[] wIh, double[] wHh, double[] bIh, double[] bHh) {
        return new CellWeights(DMatrixRMaj.wrap(gi, in, wIh), wHh == null ? null : DMatrixRMaj.wrap(gh, h, wHh),
                DMatrixRMaj.wrap(1, gi, bIh), bHh == null ? null : DMatrixRMaj.wrap(1, gh, bHh));
    }

    /** out = x·W_ihᵀ + b_ih, [B, G·H]. */
    void inputGates(DMatrixRMaj x, DMatrixRMaj out) {
        CommonOps_DDRM.multTransB(x, wIh, out);
        addRow(out, bIh);
    }

    /** out = h·W_hhᵀ + b_hh, [B, R·H]. */
    void hiddenGates(DMatrixRMaj h, DMatrixRMaj out) {
        CommonOps_DDRM.multTransB(h, wHh, out);
        addRow(out, bHh);
    }

    /**
     * Backward of {@link #inputGates}: grads.W_ih += dGᵀ·x, grads.b_ih += Σ_rows dG, dx = dG·W_ih.
     *
     * @param grads gradient accumulators (modified)
     * @param dx    [B, in], output, overwritten
     */
    void inputGatesBackward(DMatrixRMaj x, DMatrixRMaj dG, CellWeights grads, DMatrixRMaj dx) {
        CommonOps_DDRM.multAddTransA(dG, x, grads.wIh);
        addColumnSums(dG, grads.bIh);
        CommonOps_DDRM.mult(dG, wIh, dx);
    }

    /**
     * Backward of {@link #hiddenGates}: grads.W_hh += dGᵀ·h, grads.b_hh += Σ_rows dG, and
     * dh = dG·W_hh when dh is not null.
     */
    void hiddenGatesBackward(DMatrixRMaj h, DMatrixRMaj dG, CellWeights grads, DMatrixRMaj dh) {
        CommonOps_DDRM.multAddTransA(dG, h, grads.wHh);
        addColumnSums(dG, grads.bHh);
        if (dh != null) CommonOps_DDRM.mult(dG, wHh, dh);
    }

    /** W_hh[block·H + i, i]: how unit i of a hidden gate block reads unit i of h (for Jacobian diagonals). */
    double hiddenDiagonal(int block, int hidden, int i) {
        return wHh.get(block * hidden + i, i);
    }

    private static void addRow(DMatrixRMaj m, DMatrixRMaj row) {
        for (int r = 0; r < m.numRows; r++) {
            for (int c = 0; c < m.numCols; c++) m.data[r * m.numCols + c] += row.data[c];
        }
    }

    private static void addColumnSums(DMatrixRMaj m, DMatrixRMaj sums) {
        for (int r = 0; r < m.numRows; r++) {
            for (int c = 0; c < m.numCols; c++) sums.data[c] += m.data[r * m.numCols + c];
        }
    }
}
