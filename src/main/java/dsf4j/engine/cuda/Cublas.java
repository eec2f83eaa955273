package dsf4j.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static dsf4j.engine.cuda.Native.PTR;
import static dsf4j.engine.cuda.Native.bind;
import static dsf4j.engine.cuda.Native.invoke;
import static dsf4j.engine.cuda.Native.status;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuBLAS (libcublas.so.13 or .12), bound by hand: one handle on one stream, column-major SGEMM
 * through cublasGemmEx with an explicit compute type (fp32, or TF32 tensor cores). Row-major callers
 * go through {@link Gemm}, which does the transposition bookkeeping.
 */
final class Cublas {

    static final String LIB = "libcublas";
    static final int OP_N = 0, OP_T = 1;
    static final int MATH_DEFAULT = 0, MATH_TF32 = 3;
    static final int CUDA_R_32F = 0;
    static final int COMPUTE_32F = 68, COMPUTE_32F_FAST_TF32 = 77;
    static final int GEMM_DEFAULT = -1;

    private final MethodHandle create, destroy, getVersion, setStream, setMathMode, setWorkspace, gemmEx;

    Cublas(SymbolLookup lib) {
        create = bind(lib, LIB, status(PTR), "cublasCreate_v2");
        destroy = bind(lib, LIB, status(PTR), "cublasDestroy_v2");
        getVersion = bind(lib, LIB, status(PTR, PTR), "cublasGetVersion_v2");
        setStream = bind(lib, LIB, status(PTR, PTR), "cublasSetStream_v2");
        setMathMode = bind(lib, LIB, status(PTR, JAVA_INT), "cublasSetMathMode");
        setWorkspace = bind(lib, LIB, status(PTR, JAVA_LONG, JAVA_LONG), "cublasSetWorkspace_v2");
        // cublasGemmEx(handle, transa, transb, m, n, k, alpha*, A, Atype, lda, B, Btype, ldb, beta*, C, Ctype, ldc, computeType, algo)
        gemmEx = bind(lib, LIB, status(PTR, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, PTR, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_LONG, JAVA_INT, JAVA_INT, PTR, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), "cublasGemmEx");
    }

    MemorySegment createHandle() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(PTR);
            Status.checkCublas("cublasCreate_v2", invoke(() -> (int) create.invokeExact(h)));
            return h.get(PTR, 0);
        }
    }

    void destroyHandle(MemorySegment h) {
        Status.checkCublas("cublasDestroy_v2", invoke(() -> (int) destroy.invokeExact(h)));
    }

    /** e.g. 130100 for cuBLAS 13.1.0. */
    int version(MemorySegment h) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            Status.checkCublas("cublasGetVersion_v2", invoke(() -> (int) getVersion.invokeExact(h, v)));
            return v.get(JAVA_INT, 0);
        }
    }

    void setStream(MemorySegment h, MemorySegment stream) {
        Status.checkCublas("cublasSetStream_v2", invoke(() -> (int) setStream.invokeExact(h, stream)));
    }

    void setMathMode(MemorySegment h, boolean tf32) {
        int mode = tf32 ? MATH_TF32 : MATH_DEFAULT;
        Status.checkCublas("cublasSetMathMode", invoke(() -> (int) setMathMode.invokeExact(h, mode)));
    }

    /** A user workspace, so that cuBLAS allocates nothing while a graph is being captured. */
    void setWorkspace(MemorySegment h, long ptr, long bytes) {
        Status.checkCublas("cublasSetWorkspace_v2", invoke(() -> (int) setWorkspace.invokeExact(h, ptr, bytes)));
    }

    /** Column-major C = α·op(A)·op(B) + β·C in float32, on the handle's stream. */
    void sgemm(MemorySegment h, boolean tf32, Gemm.Call c, long a, long b, long cPtr, MemorySegment alphaBeta) {
        int computeType = tf32 ? COMPUTE_32F_FAST_TF32 : COMPUTE_32F;
        MemorySegment alpha = alphaBeta, beta = alphaBeta.asSlice(4);
        int rc = invoke(() -> (int) gemmEx.invokeExact(h, c.transA() ? OP_T : OP_N, c.transB() ? OP_T : OP_N, c.m(), c.n(), c.k(),
                alpha, a, CUDA_R_32F, c.lda(), b, CUDA_R_32F, c.ldb(), beta, cPtr, CUDA_R_32F, c.ldc(), computeType, GEMM_DEFAULT));
        if (rc != 0) Status.checkCublas("cublasGemmEx(" + c + ")", rc);
    }

    /** Host memory holding α then β, as cublasGemmEx reads them (pointer mode host). */
    static MemorySegment alphaBeta(Arena arena, float alpha, float beta) {
        MemorySegment s = arena.allocate(JAVA_FLOAT, 2);
        s.setAtIndex(JAVA_FLOAT, 0, alpha);
        s.setAtIndex(JAVA_FLOAT, 1, beta);
        return s;
    }
}
