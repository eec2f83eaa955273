package dsf4j.engine.fast;

import jdk.incubator.vector.FloatVector;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * PyTorch's LayerNorm over rows of width W, ε = 1e-5: y = (x − μ)·r ⊙ γ + β, r = 1/√(σ² + ε), with μ
 * and σ² the mean and biased variance of the row. The forward keeps μ and r per row for the backward.
 *
 * <p>Parallel over fixed blocks of {@link #ROWS_PER_TASK} rows. Rows are independent except for dγ and
 * dβ, which sum over all rows: each block sums its own rows in order into a partial row of its own,
 * then the partials are added in block order ({@link ColumnSums}). The blocks depend only on the row
 * count, so the result is the same for any thread count. One instance per engine, not re-entrant.
 */
final class LayerNormKernel {

    static final float EPS = 1e-5f;
    static final int ROWS_PER_TASK = 32;

    private final Parallel parallel;
    private final ColumnSums columnSums;
    private final Parallel.Body forwardBody = this::forwardTask, backwardBody = this::backwardTask;
    private float[] partialGamma = new float[0], partialBeta = new float[0];   // [blocks, W] each, grown once

    // The current call, read by the tasks.
    private int rows, w;
    private float[] x, gamma, beta, y, stats, dy, dx;

    LayerNormKernel(Parallel parallel, ColumnSums columnSums) {
        this.parallel = parallel;
        this.columnSums = columnSums;
    }

    /**
     * y = LN(x) row by row, (μ, r) of each row into stats.
     *
     * @param x     [rows, w], read only
     * @param y     [rows, w], output
     * @param stats [rows, 2] output: μ, r per row
     */
    void forward(int rows, int w, float[] x, float[] gamma, float[] beta, float[] y, float[] stats) {
        set(rows, w, x, gamma, stats);
        this.beta = beta;
        this.y = y;
        parallel.forEach(blocks(rows), forwardBody);
        clear();
    }

    /**
     * dγ += Σ_rows dy ⊙ x̂, dβ += Σ_rows dy, and dx = (g − mean(g) − x̂·mean(g ⊙ x̂))·r with g = dy ⊙ γ
     * and x̂ = (x − μ)·r.
     *
     * @param x      the forward's input [rows, w], read only
     * @param stats  the forward's (μ, r) [rows, 2], read only
     * @param dy     [rows, w], read only (unless it is dx)
     * @param dx     output [rows, w]; may be dy
     * @param dGamma [w], accumulated
     * @param dBeta  [w], accumulated
     */
    void backward(int rows, int w, float[] x, float[] stats, float[] gamma, float[] dy, float[] dx,
                  float[] dGamma, float[] dBeta) {
        int blocks = blocks(rows);
        if (partialGamma.length < blocks * w) {        // once per shape: the workspace's first step
            partialGamma = new float[blocks * w];
            partialBeta = new float[blocks * w];
        }
        set(rows, w, x, gamma, stats);
        this.dy = dy;
        this.dx = dx;
        parallel.forEach(blocks, backwardBody);
        clear();
        columnSums.add(partialGamma, blocks, w, w, dGamma);
        columnSums.add(partialBeta, blocks, w, w, dBeta);
    }

    private static int blocks(int rows) {
        return (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
    }

    private void set(int rows, int w, float[] x, float[] gamma, float[] stats) {
        this.rows = rows;
        this.w = w;
        this.x = x;
        this.gamma = gamma;
        this.stats = stats;
    }

    private void clear() {
        x = gamma = beta = y = stats = dy = dx = null;
    }

    private void forwardTask(int task, int worker) {
        int r1 = Math.min(rows, (task + 1) * ROWS_PER_TASK);
        for (int row = task * ROWS_PER_TASK; row < r1; row++) forwardRow(w, x, row * w, gamma, beta, y, stats, 2 * row);
    }

    private void backwardTask(int task, int worker) {
        int r1 = Math.min(rows, (task + 1) * ROWS_PER_TASK), po = task * w;
        java.util.Arrays.fill(partialGamma, po, po + w, 0f);
        java.util.Arrays.fill(partialBeta, po, po + w, 0f);
        for (int row = task * ROWS_PER_TASK; row < r1; row++) {
            backwardRow(w, x, row * w, stats[2 * row], stats[2 * row + 1], gamma, dy, dx, partialGamma, partialBeta, po);
        }
    }

    /** One row: y[o …] = LN(x[o …]), (μ, r) into stats[so], stats[so + 1]. */
    static void forwardRow(int w, float[] x, int o, float[] gamma, float[] beta, float[] y, float[] stats, int so) {
        int vb = Simd.bound(w);
        float mean = VectorMath.sum(x, o, o + w) / w;
        float var = 0;
        int j = 0;
        if (vb > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (; j < vb; j += L) {
                FloatVector c = FloatVector.fromArray(F, x, o + j).sub(mean);
                acc = c.fma(c, acc);
            }
            var = VectorMath.sumLanes(acc);
        }
        for (; j < w; j++) {
            float c = x[o + j] - mean;
            var += c * c;
        }
        float r = (float) (1 / Math.sqrt(var / w + EPS));
        stats[so] = mean;
        stats[so + 1] = r;
        for (j = 0; j < vb; j += L) {
            FloatVector.fromArray(F, x, o + j).sub(mean).mul(r).fma(FloatVector.fromArray(F, gamma, j), FloatVector.fromArray(F, beta, j)).intoArray(y, o + j);
        }
        for (; j < w; j++) y[o + j] = (x[o + j] - mean) * r * gamma[j] + beta[j];
    }

    /**
     * One row's backward: dx[o …] as in {@link #backward}, pg[po …] += dy ⊙ x̂, pb[po …] += dy. x̂ and g
     * are recomputed in the second pass instead of stored: the row is still in L1, a scratch row would
     * be one more buffer per worker.
     */
    static void backwardRow(int w, float[] x, int o, float mean, float r, float[] gamma, float[] dy, float[] dx,
                            float[] pg, float[] pb, int po) {
        int vb = Simd.bound(w), j = 0;
        float sumG = 0, sumGX = 0;
        if (vb > 0) {
            FloatVector sg = FloatVector.zero(F), sgx = FloatVector.zero(F);
            for (; j < vb; j += L) {
                FloatVector xh = FloatVector.fromArray(F, x, o + j).sub(mean).mul(r), d = FloatVector.fromArray(F, dy, o + j);
                FloatVector g = d.mul(FloatVector.fromArray(F, gamma, j));
                d.fma(xh, FloatVector.fromArray(F, pg, po + j)).intoArray(pg, po + j);
                d.add(FloatVector.fromArray(F, pb, po + j)).intoArray(pb, po + j);
                sg = sg.add(g);
                sgx = g.fma(xh, sgx);
            }
            sumG = VectorMath.sumLanes(sg);
            sumGX = VectorMath.sumLanes(sgx);
        }
        for (; j < w; j++) {
            float xh = (x[o + j] - mean) * r, d = dy[o + j], g = d * gamma[j];
            pg[po + j] += d * xh;
            pb[po + j] += d;
            sumG += g;
            sumGX += g * xh;
        }
        float meanG = sumG / w, meanGX = sumGX / w;
        for (j = 0; j < vb; j += L) {
            FloatVector xh = FloatVector.fromArray(F, x, o + j).sub(mean).mul(r);
            FloatVector g = FloatVector.fromArray(F, dy, o + j).mul(FloatVector.fromArray(F, gamma, j));
            g.sub(meanG).sub(xh.mul(meanGX)).mul(r).intoArray(dx, o + j);
        }
        for (; j < w; j++) {
            float xh = (x[o + j] - mean) * r;
            dx[o + j] = (dy[o + j] * gamma[j] - meanG - xh * meanGX) * r;
        }
    }
}
