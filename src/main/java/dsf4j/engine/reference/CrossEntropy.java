package dsf4j.engine.reference;

import org.ejml.data.DMatrixRMaj;

/**
 * Softmax cross-entropy over the rows of a logits matrix, ignoring rows whose target is the pad id:
 * ℓ_r = log Σ_v exp(z_{r,v}) − z_{r,target_r}.
 */
final class CrossEntropy {

    private CrossEntropy() {}

    /**
     * @param logits  [N, V], read only
     * @param targets [N], ids; rows with targets[r] == padId are skipped
     * @param dLogits [N, V], output: ∂(Σ ℓ_r · scale)/∂z, overwritten; may be null
     * @param scale   the factor on every term (1/count for the mean)
     * @return Σ over the counted rows of ℓ_r (unscaled)
     */
    static double sum(DMatrixRMaj logits, int[] targets, int padId, DMatrixRMaj dLogits, double scale) {
        int n = logits.numRows, v = logits.numCols;
        double total = 0;
        if (dLogits != null) java.util.Arrays.fill(dLogits.data, 0);
        for (int r = 0; r < n; r++) {
            if (targets[r] == padId) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < v; c++) max = Math.max(max, logits.data[r * v + c]);
            double sumExp = 0;
            for (int c = 0; c < v; c++) sumExp += Math.exp(logits.data[r * v + c] - max);
            double logZ = max + Math.log(sumExp);
            total += logZ - logits.data[r * v + targets[r]];
            if (dLogits != null) {
                for (int c = 0; c < v; c++) dLogits.data[r * v + c] = scale * Math.exp(logits.data[r * v + c] - logZ);
                dLogits.data[r * v + targets[r]] -= scale;
            }
        }
        return total;
    }

    /** Number of rows that count (target ≠ pad). */
    static int count(int[] targets, int padId) {
        int n = 0;
        for (int t : targets) if (t != padId) n++;
        return n;
    }
}
