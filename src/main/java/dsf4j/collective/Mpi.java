package dsf4j.collective;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The MPI calls dsf4j uses, bound by hand with java.lang.foreign to Open MPI's {@code libmpi.so.40}
 * (the ABI of Open MPI 3.x–5.x). Open MPI's predefined handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, …)
 * are the addresses of global symbols ({@code ompi_mpi_comm_world}, {@code ompi_mpi_float},
 * {@code ompi_mpi_op_sum}); {@code MPI_IN_PLACE} is {@code (void *) 1}. MPICH and its derivatives use
 * integer handles instead, which is why a library without {@code ompi_mpi_comm_world} is refused.
 * Every call returns an MPI error code: errors are made to return (MPI_ERRORS_RETURN on the world)
 * and are thrown as {@link IllegalStateException}s naming the call and MPI's own text.
 */
final class Mpi {

    static final String LIB = "libmpi.so.40";
    static final int THREAD_SERIALIZED = 2;      // MPI_THREAD_SERIALIZED: any thread, one at a time
    static final int MAX_LIBRARY_VERSION_STRING = 256;
    static final int MAX_ERROR_STRING = 256;
    static final MemorySegment IN_PLACE = MemorySegment.ofAddress(1);

    private static final Linker LINKER = Linker.nativeLinker();

    /** Handles: addresses of Open MPI's predefined objects. */
    final MemorySegment commWorld, float32, float64, int64, opSum, opMax, opMin, errorsReturn;
    private final MethodHandle initialized, finalized, initThread, finalize, commRank, commSize, allreduce, bcast, barrier, abort,
            libraryVersion, errorString, commSetErrhandler;

    Mpi(SymbolLookup lib) {
        commWorld = handle(lib, "ompi_mpi_comm_world");
        float32 = handle(lib, "ompi_mpi_float");
        float64 = handle(lib, "ompi_mpi_double");
        int64 = handle(lib, "ompi_mpi_int64_t");
        opSum = handle(lib, "ompi_mpi_op_sum");
        opMax = handle(lib, "ompi_mpi_op_max");
        opMin = handle(lib, "ompi_mpi_op_min");
        errorsReturn = handle(lib, "ompi_mpi_errors_return");
        initialized = bind(lib, "MPI_Initialized", ADDRESS);
        finalized = bind(lib, "MPI_Finalized", ADDRESS);
        initThread = bind(lib, "MPI_Init_thread", ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
        finalize = bind(lib, "MPI_Finalize");
        commRank = bind(lib, "MPI_Comm_rank", ADDRESS, ADDRESS);
        commSize = bind(lib, "MPI_Comm_size", ADDRESS, ADDRESS);
        // int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype, MPI_Op, MPI_Comm)
        allreduce = bind(lib, "MPI_Allreduce", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        // int MPI_Bcast(void *buffer, int count, MPI_Datatype, int root, MPI_Comm)
        bcast = bind(lib, "MPI_Bcast", ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        barrier = bind(lib, "MPI_Barrier", ADDRESS);
        abort = bind(lib, "MPI_Abort", ADDRESS, JAVA_INT);
        libraryVersion = bind(lib, "MPI_Get_library_version", ADDRESS, ADDRESS);
        errorString = bind(lib, "MPI_Error_string", JAVA_INT, ADDRESS, ADDRESS);
        commSetErrhandler = bind(lib, "MPI_Comm_set_errhandler", ADDRESS, ADDRESS);
    }

    /** The address of Open MPI's global {@code name}: the handle MPI's macros expand to. */
    private static MemorySegment handle(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalArgumentException(LIB + " has no symbol " + name
                + ": it is not Open MPI's library (MPICH and its derivatives have another ABI); point DSF4J_MPI_LIB at Open MPI's libmpi.so.40"));
    }

    /** int name(args…). */
    private static MethodHandle bind(SymbolLookup lib, String name, MemoryLayout... args) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new IllegalArgumentException(LIB + " does not export " + name + ": the library is not MPI"));
        return LINKER.downcallHandle(sym, FunctionDescriptor.of(JAVA_INT, args));
    }

    /** A call into native code that returns an MPI error code. */
    @FunctionalInterface
    interface IntCall {
        int call() throws Throwable;
    }

    /** Runs a downcall; an error code other than MPI_SUCCESS becomes an exception naming {@code what}. */
    private void check(String what, IntCall c) {
        int code;
        try {
            code = c.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (code != 0) throw new IllegalStateException(what + " failed: " + errorText(code) + " (MPI error " + code + ")");
    }

    private String errorText(int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(MAX_ERROR_STRING), len = a.allocate(JAVA_INT);
            if ((int) errorString.invokeExact(code, s, len) != 0) return "unknown error";
            return s.getString(0);
        } catch (Throwable t) {
            return "unknown error";
        }
    }

    private boolean flag(String what, MethodHandle h) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(JAVA_INT);
            check(what, () -> (int) h.invokeExact(f));
            return f.get(JAVA_INT, 0) != 0;
        }
    }

    boolean initialized() {
        return flag("MPI_Initialized", initialized);
    }

    boolean finalized() {
        return flag("MPI_Finalized", finalized);
    }

    /** MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided), then errors made to return on the world; the level provided. */
    int init() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment provided = a.allocate(JAVA_INT);
            check("MPI_Init_thread", () -> (int) initThread.invokeExact(MemorySegment.NULL, MemorySegment.NULL, THREAD_SERIALIZED, provided));
            check("MPI_Comm_set_errhandler", () -> (int) commSetErrhandler.invokeExact(commWorld, errorsReturn));
            return provided.get(JAVA_INT, 0);
        }
    }

    void finalizeMpi() {
        check("MPI_Finalize", () -> (int) finalize.invokeExact());
    }

    int rank() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment r = a.allocate(JAVA_INT);
            check("MPI_Comm_rank", () -> (int) commRank.invokeExact(commWorld, r));
            return r.get(JAVA_INT, 0);
        }
    }

    int size() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            check("MPI_Comm_size", () -> (int) commSize.invokeExact(commWorld, n));
            return n.get(JAVA_INT, 0);
        }
    }

    /** e.g. "Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4, May 26, 2022". */
    String libraryVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(MAX_LIBRARY_VERSION_STRING), len = a.allocate(JAVA_INT);
            check("MPI_Get_library_version", () -> (int) libraryVersion.invokeExact(s, len));
            return s.getString(0).strip();
        }
    }

    /** In place: MPI_Allreduce(MPI_IN_PLACE, buffer, count, type, op, MPI_COMM_WORLD). */
    void allreduceInPlace(MemorySegment buffer, int count, MemorySegment type, MemorySegment op) {
        check("MPI_Allreduce of " + count + " elements", () -> (int) allreduce.invokeExact(IN_PLACE, buffer, count, type, op, commWorld));
    }

    void bcast(MemorySegment buffer, int count, MemorySegment type, int root) {
        check("MPI_Bcast of " + count + " elements", () -> (int) bcast.invokeExact(buffer, count, type, root, commWorld));
    }

    void barrier() {
        check("MPI_Barrier", () -> (int) barrier.invokeExact(commWorld));
    }

    void abort(int status) {
        check("MPI_Abort", () -> (int) abort.invokeExact(commWorld, status));
    }
}
