package dsf4j.engine.cuda;

/**
 * Row-major matrix products on cuBLAS, which is column-major.
 *
 * <p>A row-major matrix with R rows, C columns and row stride ld is, read column-major, the C×R
 * matrix with leading dimension ld: its transpose. So the row-major product C = op(A)·op(B)
 * ([M,K]·[K,N] = [M,N]) is the column-major product Cᵀ = op(B)ᵀ·op(A)ᵀ ([N,K]·[K,M] = [N,M]):
 * cuBLAS gets B first and A second, m = N, n = M, the same k, each operand keeping its own
 * transpose flag and leading dimension. {@link #toColumnMajor} does exactly that and nothing else;
 * the tests run the resulting call through a plain Java column-major SGEMM and compare it with a
 * row-major matmul.
 */
public final class Gemm {

    private Gemm() {}

    /**
     * Row-major C[M,N] = α·op(A)·op(B) + β·C with op(A) [M,K] and op(B) [K,N]; lda, ldb, ldc are the
     * row strides of A, B and C as stored (A stored [M,K], or [K,M] when transA).
     */
    public record RowMajor(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
        public RowMajor {
            if (m < 1 || n < 1 || k < 1) throw new IllegalArgumentException("empty GEMM " + m + "×" + n + "×" + k);
            if (lda < (transA ? m : k)) throw new IllegalArgumentException("lda " + lda + " < " + (transA ? m : k) + " (A stored " + (transA ? k + "×" + m : m + "×" + k) + ")");
            if (ldb < (transB ? k : n)) throw new IllegalArgumentException("ldb " + ldb + " < " + (transB ? k : n) + " (B stored " + (transB ? n + "×" + k : k + "×" + n) + ")");
            if (ldc < n) throw new IllegalArgumentException("ldc " + ldc + " < " + n);
        }
    }

    /**
     * One column-major cublasSgemm/GemmEx call: C = op(A)·op(B) with op(A) m×k, op(B) k×n, C m×n
     * (cuBLAS's names).
     */
    public record Call(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
        public Call {
            // cuBLAS's own argument rules (CUBLAS_STATUS_INVALID_VALUE otherwise)
            if (lda < Math.max(1, transA ? k : m)) throw new IllegalArgumentException("cuBLAS lda " + lda + " too small");
            if (ldb < Math.max(1, transB ? n : k)) throw new IllegalArgumentException("cuBLAS ldb " + ldb + " too small");
            if (ldc < Math.max(1, m)) throw new IllegalArgumentException("cuBLAS ldc " + ldc + " too small");
        }
    }

    /** The column-major call computing a row-major product: pass (B, A) as cuBLAS's (A, B). */
    public static Call toColumnMajor(RowMajor r) {
        return new Call(r.transB(), r.transA(), r.n(), r.m(), r.k(), r.ldb(), r.lda(), r.ldc());
    }
}
