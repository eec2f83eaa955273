package dsf4j.engine.fast;

/**
 * sums[c] += Σ_r m[r·ld + c] (bias gradients), parallel over column blocks; each column is summed
 * over the rows in order, so the result is the same for any thread count. Allocates nothing per call.
 */
final class ColumnSums {

    private static final int BLOCK = 256;   // columns per task

    private final Parallel parallel;
    private final Parallel.Body body = this::block;
    private float[] m, sums;
    private int rows, ld, width;

    ColumnSums(Parallel parallel) {
        this.parallel = parallel;
    }

    /** sums[0 … width) += column sums of m [rows, ld] (columns 0 … width). Not re-entrant. */
    void add(float[] m, int rows, int ld, int width, float[] sums) {
        this.m = m;
        this.rows = rows;
        this.ld = ld;
        this.width = width;
        this.sums = sums;
        parallel.forEach((width + BLOCK - 1) / BLOCK, body);
        this.m = this.sums = null;
    }

    private void block(int task, int worker) {
        int c0 = task * BLOCK, c1 = Math.min(width, c0 + BLOCK);
        VectorMath.addColumnSums(m, 0, rows, ld, sums, c0, c1);
    }
}
