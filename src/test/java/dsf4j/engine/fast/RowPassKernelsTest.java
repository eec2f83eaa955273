package dsf4j.engine.fast;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The parallel row passes of the transformer block ({@link LayerNormKernel}, {@link GeluKernel},
 * {@link RowKernels}) against plain loops in double, and bitwise equal at 1 and 3 workers. Row counts
 * span several of each kernel's task blocks, widths leave a scalar tail at every vector width.
 * Tagged "width": surefire runs it again at each forced vector width.
 */
@Tag("width")
class RowPassKernelsTest {

    private static final int ROWS = 3 * LayerNormKernel.ROWS_PER_TASK + 5;

    private static float[] random(Random r, int n, double scale, double shift) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (shift + scale * r.nextGaussian());
        return x;
    }

    private static void assertClose(double[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            assertEquals(e, actual[i], tol * Math.max(1, Math.abs(e)), what + " at " + i);
        }
    }

    // ---- LayerNorm -------------------------------------------------------------------------------

    /** Plain LayerNorm forward and backward in double: y, dx, dγ, dβ (accumulated onto the given start values). */
    private record Ln(double[] y, double[] dx, double[] dGamma, double[] dBeta) {
        static Ln reference(int rows, int w, float[] x, float[] gamma, float[] beta, float[] dy, float[] dGamma0, float[] dBeta0) {
            double[] y = new double[rows * w], dx = new double[rows * w], dg = new double[w], db = new double[w];
            for (int j = 0; j < w; j++) {
                dg[j] = dGamma0[j];
                db[j] = dBeta0[j];
            }
            for (int r = 0; r < rows; r++) {
                double mean = 0, var = 0;
                for (int j = 0; j < w; j++) mean += x[r * w + j];
                mean /= w;
                for (int j = 0; j < w; j++) var += (x[r * w + j] - mean) * (x[r * w + j] - mean);
                double rstd = 1 / Math.sqrt(var / w + LayerNormKernel.EPS);
                double[] xh = new double[w];
                double sumG = 0, sumGX = 0;
                for (int j = 0; j < w; j++) {
                    xh[j] = (x[r * w + j] - mean) * rstd;
                    y[r * w + j] = xh[j] * gamma[j] + beta[j];
                    double g = dy[r * w + j] * gamma[j];
                    sumG += g;
                    sumGX += g * xh[j];
                    dg[j] += dy[r * w + j] * xh[j];
                    db[j] += dy[r * w + j];
                }
                for (int j = 0; j < w; j++) dx[r * w + j] = (dy[r * w + j] * gamma[j] - sumG / w - xh[j] * sumGX / w) * rstd;
            }
            return new Ln(y, dx, dg, db);
        }
    }

    private record LnOut(float[] y, float[] stats, float[] dx, float[] dGamma, float[] dBeta) {}

    private static LnOut layerNorm(int threads, int rows, int w, float[] x, float[] gamma, float[] beta, float[] dy,
                                   float[] dGamma0, float[] dBeta0, boolean inPlace) {
        try (Parallel p = new Parallel(threads)) {
            LayerNormKernel ln = new LayerNormKernel(p, new ColumnSums(p));
            float[] y = new float[rows * w], stats = new float[2 * rows];
            ln.forward(rows, w, x, gamma, beta, y, stats);
            // A first backward leaves its partial sums behind: the tested call must not pick them up.
            ln.backward(rows, w, x, stats, gamma, x, new float[rows * w], new float[w], new float[w]);
            float[] dGamma = dGamma0.clone(), dBeta = dBeta0.clone();
            float[] dyCopy = dy.clone(), dx = inPlace ? dyCopy : new float[rows * w];
            ln.backward(rows, w, x, stats, gamma, dyCopy, dx, dGamma, dBeta);
            return new LnOut(y, stats, dx, dGamma, dBeta);
        }
    }

    @Test
    void layerNormMatchesPlainLoopsAndIsTheSameAtAnyThreadCount() {
        for (int w : new int[] {7, 20, 48, 83}) {
            Random r = new Random(w);
            float[] x = random(r, ROWS * w, 2, 0.5), gamma = random(r, w, 0.3, 1), beta = random(r, w, 0.3, 0),
                    dy = random(r, ROWS * w, 1, 0), dGamma0 = random(r, w, 1, 0), dBeta0 = random(r, w, 1, 0);
            Ln ref = Ln.reference(ROWS, w, x, gamma, beta, dy, dGamma0, dBeta0);
            LnOut one = layerNorm(1, ROWS, w, x, gamma, beta, dy, dGamma0, dBeta0, false);
            assertClose(ref.y(), one.y(), 1e-5, "w=" + w + " y");
            assertClose(ref.dx(), one.dx(), 1e-4, "w=" + w + " dx");
            assertClose(ref.dGamma(), one.dGamma(), 1e-4, "w=" + w + " dγ");
            assertClose(ref.dBeta(), one.dBeta(), 1e-4, "w=" + w + " dβ");
            for (LnOut other : new LnOut[] {layerNorm(3, ROWS, w, x, gamma, beta, dy, dGamma0, dBeta0, false),
                    layerNorm(3, ROWS, w, x, gamma, beta, dy, dGamma0, dBeta0, true)}) {
                assertArrayEquals(one.y(), other.y(), 0f, "w=" + w + " y at 3 threads");
                assertArrayEquals(one.stats(), other.stats(), 0f, "w=" + w + " stats at 3 threads");
                assertArrayEquals(one.dx(), other.dx(), 0f, "w=" + w + " dx at 3 threads (or in place)");
                assertArrayEquals(one.dGamma(), other.dGamma(), 0f, "w=" + w + " dγ at 3 threads");
                assertArrayEquals(one.dBeta(), other.dBeta(), 0f, "w=" + w + " dβ at 3 threads");
            }
        }
    }

    // ---- GELU ------------------------------------------------------------------------------------

    @Test
    void geluKernelAddsTheBiasAndMatchesTheScalarFormsAtAnyThreadCount() {
        int rows = 37, w = 4 * 131;                     // several 16 K-element tasks, a scalar tail per row
        Random r = new Random(5);
        float[] hidden = random(r, rows * w, 2, 0), bias = random(r, w, 0.5, 0), dAct = random(r, rows * w, 1, 0);
        float[][] act = new float[2][], pre = new float[2][], grad = new float[2][];
        int[] threads = {1, 3};
        for (int k = 0; k < 2; k++) {
            try (Parallel p = new Parallel(threads[k])) {
                GeluKernel gelu = new GeluKernel(p);
                pre[k] = hidden.clone();
                act[k] = new float[rows * w];
                gelu.forward(rows, w, pre[k], bias, act[k]);
                grad[k] = dAct.clone();
                gelu.backward(rows * w, pre[k], grad[k]);
            }
        }
        double[] expPre = new double[rows * w], expAct = new double[rows * w], expGrad = new double[rows * w];
        for (int i = 0; i < rows * w; i++) {
            float h = hidden[i] + bias[i % w];
            expPre[i] = h;
            expAct[i] = VectorMath.gelu(h);
            expGrad[i] = dAct[i] * VectorMath.geluDerivative(h);
        }
        assertClose(expPre, pre[0], 0, "hidden + bias");
        assertClose(expAct, act[0], 1e-6, "GELU");
        assertClose(expGrad, grad[0], 1e-6, "dGELU");
        assertArrayEquals(act[0], act[1], 0f, "GELU at 3 threads");
        assertArrayEquals(grad[0], grad[1], 0f, "dGELU at 3 threads");
    }

    // ---- embedding gather / scatter, bias rows, adds ---------------------------------------------

    @Test
    void embeddingGatherAndScatterMatchPlainLoopsAtAnyThreadCount() {
        int v = 11, rows = 300, w = 2 * RowKernels.SCATTER_COLUMNS + 13;   // 3 column slices, the last partial
        Random r = new Random(8);
        float[] table = random(r, v * w, 1, 0), d = random(r, rows * w, 1, 0), dTable0 = random(r, v * w, 1, 0);
        int[] ids = new int[rows];
        for (int i = 0; i < rows; i++) ids[i] = r.nextInt(4) == 0 ? 3 : r.nextInt(v);   // many repeats of one id
        float[] expOut = new float[rows * w], expD = dTable0.clone();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < w; j++) {
                expOut[i * w + j] = table[ids[i] * w + j];
                expD[ids[i] * w + j] += d[i * w + j];     // rows in order: the kernel's order, so bitwise
            }
        }
        for (int threads : new int[] {1, 3}) {
            try (Parallel p = new Parallel(threads)) {
                RowKernels k = new RowKernels(p);
                float[] out = new float[rows * w], dTable = dTable0.clone();
                k.gather(ids, rows, table, w, out);
                k.scatterAdd(ids, rows, d, w, dTable);
                assertArrayEquals(expOut, out, 0f, "gather at " + threads + " threads");
                assertArrayEquals(expD, dTable, 0f, "scatter at " + threads + " threads");
            }
        }
    }

    @Test
    void biasRowsAddsAndCopiesMatchPlainLoops() {
        int rows = 70, w = 517;                           // several tasks, a scalar tail per row
        Random r = new Random(9);
        float[] m = random(r, rows * w, 1, 0), bias = random(r, w, 1, 0), x = random(r, rows * w, 1, 0);
        float[] expBias = m.clone(), expAdd = m.clone();
        for (int i = 0; i < rows * w; i++) {
            expBias[i] += bias[i % w];
            expAdd[i] += x[i];
        }
        for (int threads : new int[] {1, 3}) {
            try (Parallel p = new Parallel(threads)) {
                RowKernels k = new RowKernels(p);
                float[] a = m.clone(), b = m.clone(), c = new float[rows * w];
                k.addRowVector(a, rows, w, bias);
                k.add(b, x, rows * w);
                k.copy(x, c, rows * w);
                assertArrayEquals(expBias, a, 0f, "bias rows at " + threads + " threads");
                assertArrayEquals(expAdd, b, 0f, "add at " + threads + " threads");
                assertArrayEquals(x, c, 0f, "copy at " + threads + " threads");
            }
        }
    }
}
