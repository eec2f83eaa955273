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
 */
final class CrossEntropyHead {

    private final Gemm gemm;
    private final ColumnSums columnSums;
    private final int rows, h, v, padId, chunk;
    private final float[] logits;     // [chunk, V]
    private final double[] rowLoss;   // [chunk]
    private final Parallel.Body softmaxBody = this::softmaxRow;

    // The current chunk, read by softmaxRow.
    private int[] targets;
    private float[] bias;
    private int chunkStart;
    private float scale;
    private boolean wantGradient;

    CrossEntropyHead(Gemm gemm, ColumnSums columnSums, int rows, int hidden, int vocab, int padId) {
        this.gemm = gemm;
        this.columnSums = columnSums;
        this.rows = rows;
        this.h = hidden;
        this.v = vocab;
        this.padId = padId;
        this.chunk = Math.max(1, Math.min(rows, (1 << 22) / vocab * 4));   // ≤ 16M floats of logits
        this.logits = new float[chunk * vocab];
        this.rowLoss = new double[chunk];
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
            gemm.nt(m, v, h, z, r0 * h, w, 0, logits, 0, false);
            gemm.parallel().forEach(m, softmaxBody);
            for (int r = 0; r < m; r++) total += rowLoss[r];
            if (dz != null) {
                gemm.nn(m, h, v, logits, 0, w, 0, dz, r0 * h, false);
                gemm.tn(v, h, m, logits, 0, z, r0 * h, dW, 0, true);
                columnSums.add(logits, m, v, v, dB);
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

    /** One row of the chunk: adds the bias, ℓ_r into rowLoss, and (if asked) dlogits in place. */
    private void softmaxRow(int r, int worker) {
        int o = r * v, target = targets[chunkStart + r];
        VectorMath.addInPlace(logits, o, bias, 0, v);
        if (target == padId) {
            rowLoss[r] = 0;
            java.util.Arrays.fill(logits, o, o + v, 0f);
            return;
        }
        int vb = Simd.bound(v), j = 0;
        float zt = logits[o + target];
        float max = Float.NEGATIVE_INFINITY;
        if (vb > 0) {
            FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; j < vb; j += L) mx = mx.max(FloatVector.fromArray(F, logits, o + j));
            max = mx.reduceLanes(VectorOperators.MAX);
        }
        for (; j < v; j++) max = Math.max(max, logits[o + j]);
        VectorMath.expInPlace(logits, o, o + v, 1f, max);               // exp(logit − max), kept for dlogits
        float sum = VectorMath.sum(logits, o, o + v);
        rowLoss[r] = max + Math.log(sum) - zt;
        if (!wantGradient) return;
        float k = scale / sum;
        j = 0;
        for (; j < vb; j += L) FloatVector.fromArray(F, logits, o + j).mul(k).intoArray(logits, o + j);
        for (; j < v; j++) logits[o + j] *= k;
        logits[o + target] -= scale;
    }
}
