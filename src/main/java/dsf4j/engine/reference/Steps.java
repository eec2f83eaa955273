package dsf4j.engine.reference;

import org.ejml.data.DMatrixRMaj;

/** Moves between a time-major [T·B, W] matrix and its T per-step [B, W] slices. */
final class Steps {

    private Steps() {}

    /** T × [B, W] copies of the row blocks of m, [T·B, W]. */
    static DMatrixRMaj[] split(DMatrixRMaj m, int b) {
        int steps = m.numRows / b, w = m.numCols;
        DMatrixRMaj[] out = new DMatrixRMaj[steps];
        for (int t = 0; t < steps; t++) {
            out[t] = new DMatrixRMaj(b, w);
            System.arraycopy(m.data, t * b * w, out[t].data, 0, b * w);
        }
        return out;
    }

    /** The row blocks of m, [T·B, W], as T arrays of B·W values (copies). */
    static double[][] rows(DMatrixRMaj m, int b) {
        int steps = m.numRows / b, w = m.numCols;
        double[][] out = new double[steps][b * w];
        for (int t = 0; t < steps; t++) System.arraycopy(m.data, t * b * w, out[t], 0, b * w);
        return out;
    }

    /** T × [B, W] stacked into [T·B, W]. */
    static DMatrixRMaj join(DMatrixRMaj[] parts) {
        int b = parts[0].numRows, w = parts[0].numCols;
        DMatrixRMaj m = new DMatrixRMaj(parts.length * b, w);
        for (int t = 0; t < parts.length; t++) System.arraycopy(parts[t].data, 0, m.data, t * b * w, b * w);
        return m;
    }
}
