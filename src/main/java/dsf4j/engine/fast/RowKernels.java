package dsf4j.engine.fast;

/**
 * The cheap passes over whole [N, W] activation buffers (bias rows, residual adds, the embedding's
 * gather and scatter), parallel: at N = B·T rows these sweep tens of MB each, which a single thread
 * cannot move as fast as two. Every output element is written by exactly one task, and the scatter
 * adds each table element's rows in row order, so results are the same for any thread count.
 * One instance per engine, not re-entrant; nothing is allocated per call.
 */
final class RowKernels {

    private static final int ELEMENTS_PER_TASK = 1 << 14;
    /** Columns per scatter task (4 vectors at 512 bits; a task's slice of a row is whole cache lines). */
    static final int SCATTER_COLUMNS = 64;

    private final Parallel parallel;
    private final Parallel.Body addRowBody = this::addRowTask, addBody = this::addTask, copyBody = this::copyTask,
            gatherBody = this::gatherTask, scatterBody = this::scatterTask;

    // The current call, read by the tasks.
    private int rows, w, rowsPerTask, n;
    private float[] m, v, src;
    private int[] ids;

    RowKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * m[r·w + j] += bias[j] for r in [0, rows), j in [0, w).
     *
     * @param m    [rows, w], modified
     * @param bias [w], read only
     */
    void addRowVector(float[] m, int rows, int w, float[] bias) {
        this.m = m;
        this.v = bias;
        split(rows, w);
        parallel.forEach((rows + rowsPerTask - 1) / rowsPerTask, addRowBody);
        this.m = this.v = null;
    }

    /** y[i] += x[i] for i in [0, n); y modified. */
    void add(float[] y, float[] x, int n) {
        this.m = y;
        this.v = x;
        this.n = n;
        parallel.forEach((n + ELEMENTS_PER_TASK - 1) / ELEMENTS_PER_TASK, addBody);
        this.m = this.v = null;
    }

    /** y[i] = x[i] for i in [0, n); y modified. */
    void copy(float[] x, float[] y, int n) {
        this.v = x;
        this.m = y;
        this.n = n;
        parallel.forEach((n + ELEMENTS_PER_TASK - 1) / ELEMENTS_PER_TASK, copyBody);
        this.m = this.v = null;
    }

    /**
     * The embedding lookup: out[r] = table[ids[r]] (rows of width w).
     *
     * @param ids   [rows], each in [0, table rows)
     * @param table [V, w], read only
     * @param out   [rows, w], output
     */
    void gather(int[] ids, int rows, float[] table, int w, float[] out) {
        this.ids = ids;
        this.src = table;
        this.m = out;
        split(rows, w);
        parallel.forEach((rows + rowsPerTask - 1) / rowsPerTask, gatherBody);
        this.ids = null;
        this.src = this.m = null;
    }

    /**
     * The embedding gradient: table[ids[r]] += d[r] for r = 0 … rows−1 in order. Tasks own column slices
     * of width {@link #SCATTER_COLUMNS}, never rows: two rows with the same id would race otherwise, and
     * every element still sums its rows in row order.
     *
     * @param d     [rows, w], read only
     * @param table [V, w], accumulated
     */
    void scatterAdd(int[] ids, int rows, float[] d, int w, float[] table) {
        this.ids = ids;
        this.src = d;
        this.m = table;
        this.rows = rows;
        this.w = w;
        parallel.forEach((w + SCATTER_COLUMNS - 1) / SCATTER_COLUMNS, scatterBody);
        this.ids = null;
        this.src = this.m = null;
    }

    private void split(int rows, int w) {
        this.rows = rows;
        this.w = w;
        this.rowsPerTask = Math.max(1, ELEMENTS_PER_TASK / Math.max(1, w));
    }

    private void addRowTask(int task, int worker) {
        int r1 = Math.min(rows, (task + 1) * rowsPerTask);
        for (int r = task * rowsPerTask; r < r1; r++) VectorMath.addInPlace(m, r * w, v, 0, w);
    }

    private void addTask(int task, int worker) {
        int from = task * ELEMENTS_PER_TASK;
        VectorMath.addInPlace(m, from, v, from, Math.min(ELEMENTS_PER_TASK, n - from));
    }

    private void copyTask(int task, int worker) {
        int from = task * ELEMENTS_PER_TASK;
        System.arraycopy(v, from, m, from, Math.min(ELEMENTS_PER_TASK, n - from));
    }

    private void gatherTask(int task, int worker) {
        int r1 = Math.min(rows, (task + 1) * rowsPerTask);
        for (int r = task * rowsPerTask; r < r1; r++) System.arraycopy(src, ids[r] * w, m, r * w, w);
    }

    private void scatterTask(int task, int worker) {
        int c0 = task * SCATTER_COLUMNS, width = Math.min(SCATTER_COLUMNS, w - c0);
        for (int r = 0; r < rows; r++) VectorMath.addInPlace(m, ids[r] * w + c0, src, r * w + c0, width);
    }
}
