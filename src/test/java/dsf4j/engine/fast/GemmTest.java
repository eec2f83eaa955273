package dsf4j.engine.fast;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Holds {@link Gemm} to a plain triple loop, in every form, at the edges, and across thread counts. */
@Tag("width")
class GemmTest {

    /** The plain reference: C (+)= op(A)·op(B), in double. */
    static void reference(boolean acc, boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = acc ? c[cOff + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) {
                    double x = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double y = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += x * y;
                }
                c[cOff + i * ldc + j] = (float) s;
            }
        }
    }

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    private static void check(Gemm g, boolean acc, boolean ta, boolean tb, int m, int n, int k, long seed) {
        Random r = new Random(seed);
        int aOff = 3, bOff = 5, cOff = 7;
        int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
        float[] a = random(r, aOff + (ta ? k : m) * lda), b = random(r, bOff + (tb ? n : k) * ldb);
        float[] c = random(r, cOff + m * ldc), expected = c.clone();
        reference(acc, ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, expected, cOff, ldc);
        g.multiply(acc, ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        for (int i = 0; i < c.length; i++) {
            boolean inside = i >= cOff && (i - cOff) / ldc < m && (i - cOff) % ldc < n;
            float tol = inside ? 1e-5f * k : 0f;   // outside C nothing may change
            int at = i;
            assertTrue(Math.abs(c[i] - expected[i]) <= tol,
                    () -> "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " acc=" + acc + " at " + (at - cOff));
        }
    }

    @Test
    void everyFormMatchesThePlainLoop() {
        try (Parallel p = new Parallel(2)) {
            Gemm g = new Gemm(p);
            int[][] shapes = {{1, 1, 1}, {6, 32, 5}, {7, 33, 17}, {13, 70, 300}, {50, 9, 600}, {128, 96, 64}, {5, 300, 260}};
            long seed = 1;
            for (int[] s : shapes) {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        for (boolean acc : new boolean[] {false, true}) check(g, acc, ta, tb, s[0], s[1], s[2], seed++);
                    }
                }
            }
        }
    }

    @Test
    void namedFormsUseDenseLayouts() {
        Random r = new Random(9);
        int m = 19, n = 41, k = 23;
        float[] x = random(r, m * k), w = random(r, n * k), dy = random(r, m * n);
        try (Parallel p = new Parallel(1)) {
            Gemm g = new Gemm(p);
            float[] y = new float[m * n], yRef = new float[m * n];
            g.nt(m, n, k, x, 0, w, 0, y, 0, false);                        // Y = X·Wᵀ
            reference(false, false, true, m, n, k, x, 0, k, w, 0, k, yRef, 0, n);
            assertArrayEquals(yRef, y, 1e-4f);
            float[] dx = new float[m * k], dxRef = new float[m * k];
            g.nn(m, k, n, dy, 0, w, 0, dx, 0, false);                      // dX = dY·W
            reference(false, false, false, m, k, n, dy, 0, n, w, 0, k, dxRef, 0, k);
            assertArrayEquals(dxRef, dx, 1e-4f);
            float[] dw = random(r, n * k), dwRef = dw.clone();
            g.tn(n, k, m, dy, 0, x, 0, dw, 0, true);                       // dW += dYᵀ·X
            reference(true, true, false, n, k, m, dy, 0, n, x, 0, k, dwRef, 0, k);
            assertArrayEquals(dwRef, dw, 1e-4f);
        }
    }

    @Test
    void resultsAreBitwiseIdenticalForAnyThreadCount() {
        Random r = new Random(3);
        int m = 301, n = 517, k = 530;
        float[] a = random(r, m * k), b = random(r, k * n);
        float[][] out = new float[4][];
        for (int threads = 1; threads <= 4; threads++) {
            try (Parallel p = new Parallel(threads)) {
                out[threads - 1] = new float[m * n];
                new Gemm(p).nn(m, n, k, a, 0, b, 0, out[threads - 1], 0, false);
            }
        }
        for (int t = 1; t < 4; t++) assertArrayEquals(out[0], out[t], 0f, "threads " + (t + 1));
    }

    @Test
    void zeroDepthClearsOrKeeps() {
        try (Parallel p = new Parallel(1)) {
            float[] c = {1, 2, 3, 4};
            new Gemm(p).nn(2, 2, 0, new float[0], 0, new float[0], 0, c, 0, true);
            assertArrayEquals(new float[] {1, 2, 3, 4}, c);
            new Gemm(p).nn(2, 2, 0, new float[0], 0, new float[0], 0, c, 0, false);
            assertArrayEquals(new float[4], c);
        }
    }
}
