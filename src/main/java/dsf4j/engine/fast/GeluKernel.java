package dsf4j.engine.fast;

/**
 * The MLP's activation over [rows, W] buffers, parallel over fixed blocks of rows (elementwise: any
 * partition gives the same bits). Each worker has its own scratch for {@link VectorMath#gelu}'s exp pass.
 * One instance per engine, not re-entrant.
 */
final class GeluKernel {

    private static final int ELEMENTS_PER_TASK = 1 << 14;   // 64 KB of input per task: L2-resident
    private static final int SCRATCH = 4096;

    private final Parallel parallel;
    private final float[][] scratch;                          // [workers][SCRATCH]
    private final Parallel.Body forwardBody = this::forwardTask, backwardBody = this::backwardTask;

    // The current call, read by the tasks.
    private int rows, w, rowsPerTask;
    private float[] hidden, bias, out, grad;

    GeluKernel(Parallel parallel) {
        this.parallel = parallel;
        this.scratch = new float[parallel.threads()][SCRATCH];
    }

    /**
     * hidden[r] += bias, then act = GELU(hidden), for every row r: the bias add rides on the pass that
     * reads hidden anyway (one sweep of [rows, W] instead of two).
     *
     * @param hidden [rows, w], modified when bias is not null (the bias added: the pre-activation the backward needs)
     * @param bias   [w], read only; null for none (the backward recomputing act from the stored pre-activation)
     * @param act    [rows, w], output
     */
    void forward(int rows, int w, float[] hidden, float[] bias, float[] act) {
        this.rows = rows;
        this.w = w;
        this.rowsPerTask = Math.max(1, ELEMENTS_PER_TASK / w);
        this.hidden = hidden;
        this.bias = bias;
        this.out = act;
        parallel.forEach((rows + rowsPerTask - 1) / rowsPerTask, forwardBody);
        this.hidden = this.bias = this.out = null;
    }

    /**
     * grad = grad ⊙ GELU'(hidden) over the first n elements.
     *
     * @param hidden the forward's pre-activation, read only
     * @param grad   ∂L/∂act in, ∂L/∂hidden out
     */
    void backward(int n, float[] hidden, float[] grad) {
        this.rows = n;
        this.hidden = hidden;
        this.grad = grad;
        parallel.forEach((n + ELEMENTS_PER_TASK - 1) / ELEMENTS_PER_TASK, backwardBody);
        this.hidden = this.grad = null;
    }

    private void forwardTask(int task, int worker) {
        int r0 = task * rowsPerTask, r1 = Math.min(rows, r0 + rowsPerTask);
        if (bias != null) for (int r = r0; r < r1; r++) VectorMath.addInPlace(hidden, r * w, bias, 0, w);
        VectorMath.gelu(hidden, out, r0 * w, r1 * w, scratch[worker]);
    }

    private void backwardTask(int task, int worker) {
        int from = task * ELEMENTS_PER_TASK, to = Math.min(rows, from + ELEMENTS_PER_TASK);
        VectorMath.geluBackward(hidden, grad, grad, from, to, scratch[worker]);
    }
}
