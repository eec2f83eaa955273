package dsf4j.engine.fast;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Holds {@link Gemm} to a plain triple loop, in every form, at the edges, across thread counts and blockings. */
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

    /** The vector copies that pack A (a panel narrower than a vector copies whole vectors) stay inside both arrays. */
    @Test
    void packingStaysInsideArraysThatEndWhereTheMatrixEnds() {
        Random r = new Random(11);
        try (Parallel p = new Parallel(2)) {
            for (GemmBlocking blocking : smallBlockings()) {
                Gemm g = new Gemm(p, blocking);
                for (int m : new int[] {1, 3, 7, 12, 13, 19}) {
                    int n = 5, k = 30;
                    float[] a = random(r, k * m), b = random(r, k * n), c = new float[m * n], expected = new float[m * n];
                    g.tn(m, n, k, a, 0, b, 0, c, 0, false);            // A read as [K, M]: no float after the last row
                    reference(false, true, false, m, n, k, a, 0, m, b, 0, n, expected, 0, n);
                    assertArrayEquals(expected, c, 1e-5f * k, "m=" + m + " " + blocking);
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

    /**
     * One depth block, columns split into more tasks than workers, all on the same rows: each worker packs
     * A for its first task and reads that block for the next ones. Same bits as one thread (which packs
     * once, in one task), and a second call with another A on the same instance does not read the first's.
     */
    @Test
    void aWorkerReusingTheRowsOfAItPackedGivesTheSameBitsAndNeverAnotherCallsRows() {
        Random r = new Random(11);
        int m = 40, n = 1000, k = 200;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                float[] b = random(r, k * n), a1 = random(r, m * k), a2 = random(r, m * k);
                int lda = ta ? m : k, ldb = tb ? k : n;
                float[][] first = new float[3][m * n], second = new float[3][m * n];
                for (int threads = 1; threads <= 3; threads++) {
                    try (Parallel p = new Parallel(threads)) {
                        Gemm g = new Gemm(p);
                        g.multiply(false, ta, tb, m, n, k, a1, 0, lda, b, 0, ldb, first[threads - 1], 0, n);
                        g.multiply(false, ta, tb, m, n, k, a2, 0, lda, b, 0, ldb, second[threads - 1], 0, n);
                    }
                }
                float[] expected = new float[m * n];
                reference(false, ta, tb, m, n, k, a2, 0, lda, b, 0, ldb, expected, 0, n);
                for (int i = 0; i < expected.length; i++) {
                    assertTrue(Math.abs(second[0][i] - expected[i]) <= 1e-5f * k, "ta=" + ta + " tb=" + tb + " at " + i);
                }
                for (int t = 1; t < 3; t++) {
                    assertArrayEquals(first[0], first[t], 0f, "first call, threads " + (t + 1) + ", ta=" + ta + " tb=" + tb);
                    assertArrayEquals(second[0], second[t], 0f, "second call, threads " + (t + 1) + ", ta=" + ta + " tb=" + tb);
                }
            }
        }
    }

    /**
     * The same with several depth blocks (KC 64 and 24 for k = 200): a worker keeps each depth block of the rows
     * it packed after the one before, where they fit, and its next task on those rows reads them all.
     */
    @Test
    void aWorkerKeepingEveryDepthBlockOfItsRowsGivesTheSameBits() {
        Random r = new Random(12);
        int m = 40, n = 600, k = 200;
        List<GemmBlocking> blockings = new ArrayList<>(smallBlockings());
        for (int mr : GemmModel.kernelRows()) blockings.add(new GemmBlocking(mr, 2, Simd.L, 64, 8 * mr, 64 * 2 * Simd.L));
        for (GemmBlocking blocking : blockings) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    float[] b = random(r, k * n), a1 = random(r, m * k), a2 = random(r, m * k), expected = new float[m * n];
                    int lda = ta ? m : k, ldb = tb ? k : n;
                    float[] one = null;
                    for (int threads = 1; threads <= 3; threads++) {
                        float[] c = new float[m * n];
                        try (Parallel p = new Parallel(threads)) {
                            Gemm g = new Gemm(p, blocking);
                            g.multiply(false, ta, tb, m, n, k, a1, 0, lda, b, 0, ldb, c, 0, n);
                            g.multiply(false, ta, tb, m, n, k, a2, 0, lda, b, 0, ldb, c, 0, n);
                        }
                        if (one == null) one = c;
                        else assertArrayEquals(one, c, 0f, blocking + " threads " + threads + " ta=" + ta + " tb=" + tb);
                    }
                    reference(false, ta, tb, m, n, k, a2, 0, lda, b, 0, ldb, expected, 0, n);
                    assertArrayEquals(expected, one, 1e-5f * k, blocking + " ta=" + ta + " tb=" + tb);
                }
            }
        }
    }

    /** Every micro-tile, with blocks small enough that the shapes below cross several KC, MC and NC blocks. */
    static List<GemmBlocking> smallBlockings() {
        List<GemmBlocking> out = new ArrayList<>();
        for (int mr : GemmModel.kernelRows()) {
            out.add(new GemmBlocking(mr, 2, Simd.L, 24, 2 * mr, 2 * 2 * Simd.L));
            out.add(new GemmBlocking(mr, 2, Simd.L, 64, 3 * mr, 3 * 2 * Simd.L));
        }
        return out;
    }

    @Test
    void everyMicroTileAndBlockingMatchesThePlainLoop() {
        int[][] shapes = {{1, 1, 1}, {13, 70, 300}, {50, 9, 600}, {29, 131, 57}};
        long seed = 100;
        for (GemmBlocking blocking : smallBlockings()) {
            for (int threads : new int[] {1, 3}) {
                try (Parallel p = new Parallel(threads)) {
                    Gemm g = new Gemm(p, blocking);
                    for (int[] s : shapes) {
                        for (boolean ta : new boolean[] {false, true}) {
                            for (boolean tb : new boolean[] {false, true}) check(g, seed % 2 == 0, ta, tb, s[0], s[1], s[2], seed++);
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyBlockingIsBitwiseIdenticalForAnyThreadCount() {
        Random r = new Random(4);
        int m = 97, n = 150, k = 170;
        float[] a = random(r, m * k), b = random(r, k * n);
        for (GemmBlocking blocking : smallBlockings()) {
            float[] one = null;
            for (int threads = 1; threads <= 4; threads++) {
                float[] c = new float[m * n];
                try (Parallel p = new Parallel(threads)) {
                    new Gemm(p, blocking).tn(m, n, k, a, 0, b, 0, c, 0, false);    // a read as [k, m]
                }
                if (one == null) one = c;
                else assertArrayEquals(one, c, 0f, blocking + ", threads " + threads);
            }
        }
    }

    @Test
    void blockingsWithTheSameKcAreBitwiseIdenticalAndOtherKcOnlyRoundDifferently() {
        Random r = new Random(5);
        int m = 61, n = 203, k = 300;
        float[] a = random(r, m * k), b = random(r, n * k);
        float[] first = null;
        for (int mr : GemmModel.kernelRows()) {
            for (int[] mcNc : new int[][] {{mr, 2 * Simd.L}, {5 * mr, 6 * Simd.L}, {8192, 4096}}) {
                float[] c = new float[m * n];
                try (Parallel p = new Parallel(2)) {
                    new Gemm(p, new GemmBlocking(mr, 2, Simd.L, 96, mcNc[0], mcNc[1])).nt(m, n, k, a, 0, b, 0, c, 0, false);
                }
                if (first == null) first = c;
                else assertArrayEquals(first, c, 0f, mr + "x2 mc " + mcNc[0] + " nc " + mcNc[1]);
            }
        }
        float[] otherKc = new float[m * n];
        try (Parallel p = new Parallel(2)) {
            new Gemm(p, new GemmBlocking(6, 2, Simd.L, 40, 60, 4 * Simd.L)).nt(m, n, k, a, 0, b, 0, otherKc, 0, false);
        }
        assertArrayEquals(first, otherKc, 1e-5f * k);
    }

    /**
     * A long product (k ≥ 16 KC blocks) is summed in two halves of its depth, cut at a multiple of KC: the
     * first into C, the second apart, then added. The same bits as doing exactly that by hand with two
     * products of the halves (each too short to be split), at 1, 2 and 3 threads, in every form, accumulating.
     */
    @Test
    void aLongProductIsSummedInTwoHalvesCutAtAMultipleOfKcForAnyThreadCount() {
        Random r = new Random(12);
        GemmBlocking blocking = new GemmBlocking(GemmModel.kernelRows()[0], 2, Simd.L, 24, 4 * GemmModel.kernelRows()[0], 4 * Simd.L);
        int m = 29, n = 3 * Simd.L + 5, k = Gemm.SPLIT_DEPTH_BLOCKS * 24 + 37, half = ((k + 1) / 2 + 23) / 24 * 24;   // KC 24
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int lda = ta ? m : k, ldb = tb ? k : n;
                float[] a = random(r, m * k), b = random(r, k * n), c0 = random(r, m * n);
                float[] byHand = c0.clone(), second = new float[m * n];
                try (Parallel p = new Parallel(1)) {
                    Gemm g = new Gemm(p, blocking);
                    g.multiply(true, ta, tb, m, n, half, a, 0, lda, b, 0, ldb, byHand, 0, n);
                    g.multiply(false, ta, tb, m, n, k - half, a, ta ? half * m : half, lda, b, tb ? half : half * n, ldb, second, 0, n);
                }
                for (int i = 0; i < byHand.length; i++) byHand[i] += second[i];
                for (int threads = 1; threads <= 3; threads++) {
                    float[] c = c0.clone();
                    try (Parallel p = new Parallel(threads)) {
                        new Gemm(p, blocking).multiply(true, ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n);
                    }
                    assertArrayEquals(byHand, c, 0f, "ta=" + ta + " tb=" + tb + " threads " + threads);
                }
            }
        }
    }

    @Test
    void anOverwritingProductIgnoresWhatCHeldEvenNaN() {
        Random r = new Random(6);
        int m = 29, n = 70, k = 150;
        float[] a = random(r, m * k), b = random(r, k * n), expected = new float[m * n];
        reference(false, false, false, m, n, k, a, 0, k, b, 0, n, expected, 0, n);
        for (GemmBlocking blocking : smallBlockings()) {
            float[] c = new float[m * n];
            java.util.Arrays.fill(c, Float.NaN);
            try (Parallel p = new Parallel(2)) {
                new Gemm(p, blocking).nn(m, n, k, a, 0, b, 0, c, 0, false);
            }
            assertArrayEquals(expected, c, 1e-5f * k, blocking.toString());
        }
    }

    /** B packed once and reused (a recurrent weight over T steps) gives the bits of packing it in every call. */
    @Test
    void aPackedBGivesTheSameBitsAsTheUnpackedProductAndCanBeReused() {
        Random r = new Random(7);
        int[][] shapes = {{1, 1, 1}, {64, 96, 40}, {13, 70, 300}, {29, 131, 57}};   // m, n, k: several KC blocks and partial panels
        for (GemmBlocking blocking : smallBlockings()) {
            for (int threads : new int[] {1, 3}) {
                try (Parallel p = new Parallel(threads)) {
                    Gemm g = new Gemm(p, blocking);
                    Gemm.PackedB packed = new Gemm.PackedB(0);
                    for (int[] s : shapes) {
                        int m = s[0], n = s[1], k = s[2];
                        for (boolean tb : new boolean[] {false, true}) {
                            int lda = k + 3, ldb = (tb ? k : n) + 2, ldc = n + 1;
                            float[] b = random(r, 4 + (tb ? n : k) * ldb);
                            g.pack(tb, k, n, b, 4, ldb, packed);            // reused across shapes: grown, then rewritten
                            for (int call = 0; call < 2; call++) {          // two products with one packing
                                float[] a = random(r, 2 + m * lda), c0 = random(r, 1 + m * ldc), c1 = c0.clone();
                                boolean acc = call == 1;
                                g.multiply(acc, false, tb, m, n, k, a, 2, lda, b, 4, ldb, c0, 1, ldc);
                                g.multiply(acc, false, m, a, 2, lda, packed, c1, 1, ldc);
                                assertArrayEquals(c0, c1, 0f, blocking + " threads " + threads + " m=" + m + " n=" + n + " k=" + k + " tb=" + tb);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void aBPackedWithAnotherKcIsRefused() {
        try (Parallel p = new Parallel(1)) {
            Gemm.PackedB packed = new Gemm(p, new GemmBlocking(6, 2, Simd.L, 32, 60, 4 * Simd.L)).pack(false, 40, 10, new float[400], 0, 10, new Gemm.PackedB(0));
            Gemm other = new Gemm(p, new GemmBlocking(6, 2, Simd.L, 64, 60, 4 * Simd.L));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> other.multiply(false, false, 3, new float[120], 0, 40, packed, new float[30], 0, 10));
            assertTrue(e.getMessage().contains("another blocking"), e.getMessage());
        }
    }

    @Test
    void aBlockingForAnotherWidthIsRefused() {
        try (Parallel p = new Parallel(1)) {
            GemmBlocking other = new GemmBlocking(6, 2, Simd.L * 2, 64, 60, 64 * Simd.L);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Gemm(p, other));
            assertTrue(e.getMessage().contains("floats"), e.getMessage());
        }
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
