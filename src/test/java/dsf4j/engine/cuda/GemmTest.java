package dsf4j.engine.cuda;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The row-major → column-major bookkeeping of {@link Gemm}, checked without a GPU: the call it
 * produces is run through a plain Java transcription of cuBLAS's column-major SGEMM and compared
 * with a row-major matmul, for every transpose combination, with padded leading dimensions (as the
 * engine's LSTM state, read with lda = 2H) and with accumulation into C.
 */
class GemmTest {

    /** cuBLAS's column-major C = α·op(A)·op(B) + β·C, element (i, j) at i + j·ld. */
    static void columnMajorSgemm(Gemm.Call c, float alpha, float[] a, float[] b, float beta, float[] out) {
        for (int j = 0; j < c.n(); j++) {
            for (int i = 0; i < c.m(); i++) {
                double s = 0;
                for (int p = 0; p < c.k(); p++) {
                    float av = c.transA() ? a[p + i * c.lda()] : a[i + p * c.lda()];
                    float bv = c.transB() ? b[j + p * c.ldb()] : b[p + j * c.ldb()];
                    s += (double) av * bv;
                }
                out[i + j * c.ldc()] = (float) (alpha * s + beta * out[i + j * c.ldc()]);
            }
        }
    }

    @Test
    void everyTransposeWithPaddedLeadingDimensionsMatchesRowMajorMatmul() {
        Random rng = new Random(3);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int trial = 0; trial < 4; trial++) {
                    int m = 1 + rng.nextInt(7), n = 1 + rng.nextInt(7), k = 1 + rng.nextInt(7);
                    int lda = (ta ? m : k) + rng.nextInt(3), ldb = (tb ? k : n) + rng.nextInt(3), ldc = n + rng.nextInt(3);
                    // A stored row-major as [M,K] (or [K,M] when ta) with row stride lda; B likewise
                    float[] a = random(rng, (ta ? k : m) * lda), b = random(rng, (tb ? n : k) * ldb), c = random(rng, m * ldc);
                    boolean accumulate = trial % 2 == 1;
                    float[] expected = c.clone();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int p = 0; p < k; p++) {
                                float av = ta ? a[p * lda + i] : a[i * lda + p];
                                float bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                                s += (double) av * bv;
                            }
                            expected[i * ldc + j] = (float) (s + (accumulate ? c[i * ldc + j] : 0));
                        }
                    }
                    Gemm.Call call = Gemm.toColumnMajor(new Gemm.RowMajor(ta, tb, m, n, k, lda, ldb, ldc));
                    float[] got = c.clone();
                    columnMajorSgemm(call, 1f, b, a, accumulate ? 1f : 0f, got);   // row-major B goes first
                    assertArrayEquals(expected, got, 1e-5f, "ta=" + ta + " tb=" + tb + " " + m + "×" + n + "×" + k);
                }
            }
        }
    }

    @Test
    void theCallSwapsOperandsAndDimensions() {
        Gemm.Call c = Gemm.toColumnMajor(new Gemm.RowMajor(false, true, 128, 1536, 512, 512, 512, 1536));
        assertEquals(new Gemm.Call(true, false, 1536, 128, 512, 512, 512, 1536), c);
    }

    @Test
    void leadingDimensionsTooSmallAreRejectedBeforeCuBlasSeesThem() {
        assertThrows(IllegalArgumentException.class, () -> new Gemm.RowMajor(false, false, 4, 5, 6, 5, 5, 5));   // lda < K
        assertThrows(IllegalArgumentException.class, () -> new Gemm.RowMajor(true, false, 4, 5, 6, 3, 5, 5));    // lda < M
        assertThrows(IllegalArgumentException.class, () -> new Gemm.RowMajor(false, true, 4, 5, 6, 6, 5, 5));    // ldb < K
        assertThrows(IllegalArgumentException.class, () -> new Gemm.RowMajor(false, false, 4, 5, 6, 6, 5, 4));   // ldc < N
        assertThrows(IllegalArgumentException.class, () -> new Gemm.RowMajor(false, false, 0, 5, 6, 6, 5, 5));
    }

    private static float[] random(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
