package dsf4j.engine.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * The head Linear(H → V) fused with softmax cross-entropy, over chunks of rows so the logits never need
 * N·V floats at once: per chunk, logits = z·Wᵀ + b (one GEMM), ℓ_r = log Σ_v exp(logit_rv) − logit_r,target,
 * dlogits = (softmax − onehot)/count in place, then dz = dlogits·W, dW += dlogitsᵀ·z, db += Σ_rows dlogits.
 * Rows whose target is the pad id count for nothing. Chunks have a fixed size and per-row losses are
 * summed in row order, so the result does not depend on the thread count.
 *
 * <p>db's column sums are taken while each row of dlogits is still in L1: every block of
 * {@link #ROWS_PER_TASK} rows sums its rows into its own partial row, and the partials are added to db in
 * block order. Summing the chunk's columns afterwards read its 67 MB of dlogits (PTB: 1,676 × 10,000)
 * from memory once more, 25 ms of a 570 ms head at 2 threads on a Zen 5 (2026-12-02).
 */
final class CrossEntropyHead {

    private final Gemm gemm;
    private final ColumnSums columnSums;
    private final int rows, h, v, padId, chunk;
    /** Rows per softmax task, and per partial sum of db: fixed, so db's rounding is the same for any thread count. */
    static final int ROWS_PER_TASK = 32;

    private final float[] logits;       // [chunk, V]
    private final double[] rowLoss;     // [chunk]
    private final float[] biasPartials; // db's partial sums, one row per block of ROWS_PER_TASK rows, [⌈chunk/ROWS_PER_TASK⌉, V]
    private final Parallel.Body softmaxBody = this::softmaxRows;

    // The current chunk, read by softmaxRow.
    private int[] targets;
    private float[] bias;
    private int chunkStart, chunkRows;
    private float scale;
    private boolean wantGradient;

    CrossEntropyHead(Gemm gemm, ColumnSums columnSums, int rows, int hidden, int vocab, int padId) {
        this(gemm, columnSums, rows, hidden, vocab, padId, chunkRows(rows, vocab));
    }

    /** With chunks of {@code chunk} rows (tests: several chunks on small arrays). */
    CrossEntropyHead(Gemm gemm, ColumnSums columnSums, int rows, int hidden, int vocab, int padId, int chunk) {
        this.gemm = gemm;
        this.columnSums = columnSums;
        this.rows = rows;
        this.h = hidden;
        this.v = vocab;
        this.padId = padId;
        this.chunk = chunk;
        this.logits = new float[chunk * vocab];
        this.rowLoss = new double[chunk];
        this.biasPartials = new float[blocks(chunk) * vocab];
    }

    /** The chunk's rows [N, …] at most, and its partial-sum blocks. */
    static int chunkRows(int rows, int vocab) {
        return Math.max(1, Math.min(rows, (1 << 22) / vocab * 4));   // ≤ 16M floats of logits
    }

    private static int blocks(int rows) {
        return (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
    }

    /** Number of targets that are not the pad id. */
    int count(int[] targets) {
        int c = 0;
        for (int t : targets) if (t != padId) c++;
        return c;
    }

    /**
     * Σ_r ℓ_r over the non-pad rows; with {@code dz} not null also the gradients of (Σ ℓ_r)/count.
     *
     * @param z       the head's input, [N, H], read only
     * @param targets [N] time-major ids
     * @param dz      output [N, H] (overwritten), or null for the loss only
     * @param dW      head.weight gradient [V, H], accumulated (ignored without dz)
     * @param dB      head.bias gradient [V], accumulated (ignored without dz)
     */
    double run(float[] z, int[] targets, float[] w, float[] b, float[] dz, float[] dW, float[] dB, int count) {
        double total = 0;
        this.targets = targets;
        this.bias = b;
        this.wantGradient = dz != null;
        this.scale = count == 0 ? 0f : 1f / count;
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int m = Math.min(chunk, rows - r0);
            chunkStart = r0;
            chunkRows = m;
            gemm.nt(m, v, h, z, r0 * h, w, 0, logits, 0, false);
            gemm.parallel().forEach(blocks(m), softmaxBody);
            for (int r = 0; r < m; r++) total += rowLoss[r];
            if (dz != null) {
                gemm.nn(m, h, v, logits, 0, w, 0, dz, r0 * h, false);
                gemm.tn(v, h, m, logits, 0, z, r0 * h, dW, 0, true);
                columnSums.add(biasPartials, blocks(m), v, v, dB);
            }
        }
        this.targets = null;
        this.bias = null;
        return total;
    }

    /** Logits of the first {@code m} rows of z into out, [m, V] (the stepper's forward). */
    void logits(int m, float[] z, float[] w, float[] b, float[] out) {
        gemm.nt(m, v, h, z, 0, w, 0, out, 0, false);
        VectorMath.addRowVector(out, 0, m, v, b);
    }

    /** Rows [ROWS_PER_TASK·task, ROWS_PER_TASK·(task + 1)) of the chunk, in order; with the gradient, their dlogits summed into the task's partial row. */
    private void softmaxRows(int task, int worker) {
        int r0 = task * ROWS_PER_TASK, r1 = Math.min(r0 + ROWS_PER_TASK, chunkRows);
        int partial = task * v;
        if (wantGradient) java.util.Arrays.fill(biasPartials, partial, partial + v, 0f);
        for (int r = r0; r < r1; r++) softmaxRow(r, partial);
    }

    /** One row of the chunk: adds the bias, ℓ_r into rowLoss, and (if asked) dlogits in place and into the partial sum at {@code partial}. */
    private void softmaxRow(int r, int partial) {
        int o = r * v, target = targets[chunkStart + r];
        if (target == padId) {      // no loss, dlogits = 0 (and nothing to add to the partial sum)
            rowLoss[r] = 0;
            java.util.Arrays.fill(logits, o, o + v, 0f);
            return;
        }
        float max = addBiasAndMax(o);
        float zt = logits[o + target];
        VectorMath.expInPlace(logits, o, o + v, 1f, max);               // exp(logit − max), kept for dlogits
        float sum = VectorMath.sum(logits, o, o + v);
        rowLoss[r] = max + Math.log(sum) - zt;
        if (!wantGradient) return;
        float k = scale / sum, before = biasPartials[partial + target];
        int vb = Simd.bound(v), j = 0;
        for (; j < vb; j += L) {
            FloatVector d = FloatVector.fromArray(F, logits, o + j).mul(k);
            d.intoArray(logits, o + j);
            d.add(FloatVector.fromArray(F, biasPartials, partial + j)).intoArray(biasPartials, partial + j);
        }
        for (; j < v; j++) {
            logits[o + j] *= k;
            biasPartials[partial + j] += logits[o + j];
        }
        logits[o + target] -= scale;                                    // − onehot/count, and the partial sum of what is stored
        biasPartials[partial + target] = before + logits[o + target];
    }

    /** logits[o …] += bias in place; returns the row's maximum. */
    private float addBiasAndMax(int o) {
        int vb = Simd.bound(v), j = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (vb > 0) {
            FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; j < vb; j += L) {
                FloatVector x = FloatVector.fromArray(F, logits, o + j).add(FloatVector.fromArray(F, bias, j));
                x.intoArray(logits, o + j);
                mx = mx.max(x);
            }
            max = mx.reduceLanes(VectorOperators.MAX);
        }
        for (; j < v; j++) {
            logits[o + j] += bias[j];
            max = Math.max(max, logits[o + j]);
        }
        return max;
    }
}
