package dsf4j.collective;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The collective operations of data-parallel training, over the processes of one job (MPI's
 * "world", ranks 0 … size − 1). Every process calls the same operations, in the same order, with the
 * same counts; each call returns once every process has made it (a process that never makes it is a
 * hang, which is why the trainer only calls them at points every process reaches).
 *
 * <p>Buffers are {@link MemorySegment}s so that one interface serves every kind of memory: native
 * (off-heap) host memory for {@link MpiCollective} and {@link SingleProcess}, and device memory for an
 * accelerator's collective library (NCCL for {@code --engine cuda}, not built: it would take
 * {@code MemorySegment.ofAddress(devicePointer)} segments and run on the engine's stream). Heap arrays
 * go through the small-array helpers below, which copy them to native memory and back.
 *
 * <p>Results are the same, bit for bit, on every process (Open MPI's sum reduces each element in one
 * order and distributes that result), which is what keeps data-parallel weights identical everywhere.
 */
public interface Collective extends AutoCloseable {

    /** The reductions: element-wise over the processes' buffers. */
    enum Op { SUM, MAX, MIN }

    /** Element types, as MPI and NCCL name them (MPI_FLOAT / ncclFloat32, MPI_DOUBLE / ncclFloat64, MPI_INT64_T / ncclInt64). */
    enum Element {
        FLOAT32(4), FLOAT64(8), INT64(8);

        /** Bytes per element. */
        public final int bytes;

        Element(int bytes) {
            this.bytes = bytes;
        }
    }

    /** This process's number, 0 … {@link #size()} − 1. */
    int rank();

    /** Number of processes in the job. */
    int size();

    /** Rank 0: the process that writes the run's files and prints its progress. */
    default boolean leader() {
        return rank() == 0;
    }

    /**
     * Whether a launcher (mpirun, srun) started the processes. A launcher ends all of them soon after a
     * stop signal (Open MPI's mpirun: SIGTERM one second after it got its own, SIGKILL one second later),
     * too soon to finish a training step: a stop must then be saved at once.
     */
    default boolean launched() {
        return false;
    }

    /** One line for logs: the implementation, its library and the job's shape. */
    String describe();

    /**
     * Replaces {@code buffer}'s first {@code count} elements, on every process, with their reduction
     * over all processes (MPI_Allreduce with MPI_IN_PLACE).
     *
     * @param buffer native memory of at least {@code count} elements; read, then overwritten
     */
    void allReduce(MemorySegment buffer, Element type, long count, Op op);

    /**
     * Copies {@code root}'s first {@code count} elements of {@code buffer} into every other process's
     * {@code buffer} (MPI_Bcast).
     *
     * @param buffer native memory; read on {@code root}, overwritten elsewhere
     */
    void broadcast(MemorySegment buffer, Element type, long count, int root);

    /** Returns once every process has called it. */
    void barrier();

    /**
     * Ends every process of the job with {@code status}, now (MPI_Abort): for a failure on one process
     * while the others may be waiting in a collective. Never returns.
     */
    void abort(int status);

    /** Leaves the job (MPI_Finalize); every process must call it, after its last collective. */
    @Override
    void close();

    /** {@link #allReduce(MemorySegment, Element, long, Op)} of a small array, through native memory. */
    default void allReduce(double[] values, Op op) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocateFrom(ValueLayout.JAVA_DOUBLE, values);
            allReduce(s, Element.FLOAT64, values.length, op);
            MemorySegment.copy(s, ValueLayout.JAVA_DOUBLE, 0, values, 0, values.length);
        }
    }

    /** {@link #allReduce(MemorySegment, Element, long, Op)} of a small array, through native memory. */
    default void allReduce(long[] values, Op op) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocateFrom(ValueLayout.JAVA_LONG, values);
            allReduce(s, Element.INT64, values.length, op);
            MemorySegment.copy(s, ValueLayout.JAVA_LONG, 0, values, 0, values.length);
        }
    }

    /** {@link #broadcast(MemorySegment, Element, long, int)} of an array, through native memory. */
    default void broadcast(float[] values, int root) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocateFrom(ValueLayout.JAVA_FLOAT, values);
            broadcast(s, Element.FLOAT32, values.length, root);
            MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, 0, values, 0, values.length);
        }
    }

    /** {@link #broadcast(MemorySegment, Element, long, int)} of an array, through native memory. */
    default void broadcast(long[] values, int root) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocateFrom(ValueLayout.JAVA_LONG, values);
            broadcast(s, Element.INT64, values.length, root);
            MemorySegment.copy(s, ValueLayout.JAVA_LONG, 0, values, 0, values.length);
        }
    }
}
