package dsf4j.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One engine's view of the GPU: a stream, a cuBLAS handle bound to it (with its own workspace, so
 * that graph capture allocates nothing), and the three things the model code does on it: row-major
 * GEMMs, kernel launches checked against {@link Kernel#signature}, and memory. Everything is
 * asynchronous on the stream, so a sequence of calls can be captured into a CUDA graph.
 */
final class Gpu implements AutoCloseable {

    static final int THREADS = 256;
    private static final long CUBLAS_WORKSPACE = 32L << 20;

    final CudaRuntime rt;
    final MemorySegment stream;
    private final MemorySegment cublas;
    private final boolean tf32;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment oneZero, oneOne;
    private final long cublasWorkspace;
    private final List<Long> allocations = new ArrayList<>();

    Gpu(CudaRuntime rt, boolean tf32) {
        this.rt = rt;
        this.tf32 = tf32;
        rt.makeCurrent();
        stream = rt.driver.createStream();
        cublas = rt.cublas.createHandle();
        rt.cublas.setStream(cublas, stream);
        rt.cublas.setMathMode(cublas, tf32);
        cublasWorkspace = rt.driver.malloc(CUBLAS_WORKSPACE);
        rt.cublas.setWorkspace(cublas, cublasWorkspace, CUBLAS_WORKSPACE);
        oneZero = Cublas.alphaBeta(arena, 1f, 0f);
        oneOne = Cublas.alphaBeta(arena, 1f, 1f);
    }

    boolean tf32() {
        return tf32;
    }

    int cublasVersion() {
        return rt.cublas.version(cublas);
    }

    // ---------------------------------------------------------------------------------------------
    // Memory

    /** A device buffer of {@code floats} 4-byte words, freed by {@link #free} or {@link #close}. */
    long alloc(long floats) {
        long p = rt.driver.malloc(floats * 4);
        allocations.add(p);
        return p;
    }

    void free(long ptr) {
        if (allocations.remove(ptr)) rt.driver.free(ptr);
    }

    void zero(long ptr, long floats) {
        rt.driver.memset32(ptr, 0, floats, stream);
    }

    void fill(long ptr, float value, long floats) {
        rt.driver.memset32(ptr, Float.floatToRawIntBits(value), floats, stream);
    }

    void copy(long dst, long src, long floats) {
        rt.driver.copyDtoD(dst, src, floats * 4, stream);
    }

    void upload(long dst, float[] src, int offset, int count) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_FLOAT, Math.max(count, 1));
            MemorySegment.copy(src, offset, s, JAVA_FLOAT, 0, count);
            rt.driver.copyHtoD(dst, s, count * 4L, stream);
            rt.driver.synchronize(stream);   // the host segment dies with this arena
        }
    }

    void upload(long dst, int[] src) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_INT, Math.max(src.length, 1));
            MemorySegment.copy(src, 0, s, JAVA_INT, 0, src.length);
            rt.driver.copyHtoD(dst, s, src.length * 4L, stream);
            rt.driver.synchronize(stream);
        }
    }

    /** Waits for the stream, then copies {@code count} floats to the host. */
    void download(float[] dst, int offset, long src, int count) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_FLOAT, Math.max(count, 1));
            rt.driver.copyDtoH(s, src, count * 4L, stream);
            rt.driver.synchronize(stream);
            MemorySegment.copy(s, JAVA_FLOAT, 0, dst, offset, count);
        }
    }

    double downloadDouble(long src) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_LONG);
            rt.driver.copyDtoH(s, src, 8, stream);
            rt.driver.synchronize(stream);
            return Double.longBitsToDouble(s.get(JAVA_LONG, 0));
        }
    }

    void synchronize() {
        rt.driver.synchronize(stream);
    }

    // ---------------------------------------------------------------------------------------------
    // GEMM

    /**
     * Row-major C[M,N] = op(A)·op(B) (+ C when accumulate); see {@link Gemm.RowMajor} for the
     * leading dimensions. TF32 tensor cores when the engine was built with tf32.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, long a, int lda, long b, int ldb, boolean accumulate, long c, int ldc) {
        Gemm.Call call = Gemm.toColumnMajor(new Gemm.RowMajor(transA, transB, m, n, k, lda, ldb, ldc));
        rt.cublas.sgemm(cublas, tf32, call, b, a, c, accumulate ? oneOne : oneZero);
    }

    // ---------------------------------------------------------------------------------------------
    // Kernels

    /** A 1-D launch of a grid-stride kernel over n elements. */
    void launch(Kernel k, long n, Object... args) {
        long blocks = Math.max(1, Math.min((n + THREADS - 1) / THREADS, 32L * rt.multiprocessors));
        launchGrid(k, (int) blocks, 1, THREADS, 1, args);
    }

    /** A launch with an explicit grid and block. */
    void launchGrid(Kernel k, int gridX, int gridY, int blockX, int blockY, Object... args) {
        String sig = k.signature;
        if (args.length != sig.length()) throw new IllegalArgumentException(k.symbol + " takes " + sig.length() + " arguments, got " + args.length);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(ADDRESS, args.length);
            for (int i = 0; i < args.length; i++) {
                MemorySegment slot = a.allocate(8, 8);
                switch (sig.charAt(i)) {
                    case 'p' -> slot.set(JAVA_LONG, 0, requireType(k, i, args[i], Long.class));
                    case 'i' -> slot.set(JAVA_INT, 0, requireType(k, i, args[i], Integer.class));
                    case 'f' -> slot.set(JAVA_FLOAT, 0, requireType(k, i, args[i], Float.class));
                    default -> throw new IllegalStateException("bad signature letter in " + k);
                }
                params.setAtIndex(ADDRESS, i, slot);
            }
            rt.driver.launch(k.symbol, rt.function(k), gridX, gridY, 1, blockX, blockY, 1, 0, stream, params);
        }
    }

    private static <T> T requireType(Kernel k, int i, Object arg, Class<T> type) {
        if (!type.isInstance(arg)) {
            throw new IllegalArgumentException(k.symbol + " argument " + i + " must be a " + type.getSimpleName() + ", got " + (arg == null ? "null" : arg.getClass().getSimpleName()));
        }
        return type.cast(arg);
    }

    // ---------------------------------------------------------------------------------------------
    // Graphs and timing

    /** Captures what {@code body} enqueues into an executable graph (not run). */
    MemorySegment capture(Runnable body) {
        rt.driver.beginCapture(stream);
        try {
            body.run();
        } catch (RuntimeException e) {
            try {
                rt.driver.destroyGraph(rt.driver.endCapture(stream));
            } catch (RuntimeException ignored) {
                // the capture is already invalid; the original error says why
            }
            throw e;
        }
        MemorySegment graph = rt.driver.endCapture(stream);
        try {
            return rt.driver.instantiate(graph);
        } finally {
            rt.driver.destroyGraph(graph);
        }
    }

    void replay(MemorySegment exec) {
        rt.driver.launchGraph(exec, stream);
    }

    void destroy(MemorySegment exec) {
        rt.driver.destroyGraphExec(exec);
    }

    /** Milliseconds the stream spends on what {@code body} enqueues (event-timed, synchronizes). */
    float time(Runnable body) {
        MemorySegment start = rt.driver.createEvent(), end = rt.driver.createEvent();
        try {
            rt.driver.record(start, stream);
            body.run();
            rt.driver.record(end, stream);
            rt.driver.synchronizeEvent(end);
            return rt.driver.elapsed(start, end);
        } finally {
            rt.driver.destroyEvent(start);
            rt.driver.destroyEvent(end);
        }
    }

    @Override
    public void close() {
        rt.makeCurrent();
        rt.driver.synchronize(stream);
        for (long p : allocations) rt.driver.free(p);
        allocations.clear();
        rt.cublas.destroyHandle(cublas);
        rt.driver.free(cublasWorkspace);
        rt.driver.destroyStream(stream);
        arena.close();
    }
}
