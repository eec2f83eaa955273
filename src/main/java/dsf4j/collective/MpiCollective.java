package dsf4j.collective;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

/**
 * The job's processes through MPI (Open MPI's {@code libmpi.so.40}, see {@link Mpi}): all-reduce and
 * broadcast over MPI_COMM_WORLD, in place. MPI is initialised once per process, by {@link #init}, and
 * finalised by {@link #close}. Calls come from one thread at a time (MPI_THREAD_SERIALIZED).
 */
public final class MpiCollective implements Collective {

    /** MPI counts are C ints: larger buffers go in chunks of this many elements. */
    static final int CHUNK = 1 << 30;

    private final Mpi mpi;
    private final String library;
    private final String version;
    private final int rank, size;
    private boolean closed;

    private MpiCollective(Mpi mpi, String library) {
        this.mpi = mpi;
        this.library = library;
        this.version = mpi.libraryVersion();
        this.rank = mpi.rank();
        this.size = mpi.size();
    }

    /**
     * Opens {@code library} (the path of an Open MPI libmpi.so.40, or its bare name for the system
     * loader's own search) and initialises MPI.
     *
     * @throws IllegalArgumentException when the library cannot be opened or is not Open MPI's
     */
    public static MpiCollective init(String library) {
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot open the MPI library " + library + " (" + e.getMessage()
                    + "): point DSF4J_MPI_LIB at Open MPI's libmpi.so.40, or run one process with --distributed off");
        }
        Mpi mpi = new Mpi(lib);
        if (mpi.finalized()) throw new IllegalStateException("MPI was already finalised in this process: it can be initialised only once");
        if (!mpi.initialized()) mpi.init();
        return new MpiCollective(mpi, library);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    /** MPI's own name for itself, e.g. "Open MPI v4.1.4, package: Debian OpenMPI, …". */
    public String libraryVersion() {
        return version;
    }

    @Override
    public boolean launched() {
        return true;
    }

    @Override
    public String describe() {
        String first = version.split(",")[0];
        return "MPI, rank " + rank + " of " + size + " (" + first + ", " + library + ")";
    }

    @Override
    public void allReduce(MemorySegment buffer, Element type, long count, Op op) {
        MemorySegment t = type(type), o = switch (op) {
            case SUM -> mpi.opSum;
            case MAX -> mpi.opMax;
            case MIN -> mpi.opMin;
        };
        for (long from = 0; from < count; from += CHUNK) {
            int n = (int) Math.min(CHUNK, count - from);
            mpi.allreduceInPlace(buffer.asSlice(from * type.bytes), n, t, o);
        }
    }

    @Override
    public void broadcast(MemorySegment buffer, Element type, long count, int root) {
        for (long from = 0; from < count; from += CHUNK) {
            int n = (int) Math.min(CHUNK, count - from);
            mpi.bcast(buffer.asSlice(from * type.bytes), n, type(type), root);
        }
    }

    private MemorySegment type(Element e) {
        return switch (e) {
            case FLOAT32 -> mpi.float32;
            case FLOAT64 -> mpi.float64;
            case INT64 -> mpi.int64;
        };
    }

    @Override
    public void barrier() {
        mpi.barrier();
    }

    @Override
    public void abort(int status) {
        try {
            mpi.abort(status);
        } finally {
            Runtime.getRuntime().halt(status);   // MPI_Abort does not return; if it did, end this process anyway
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        mpi.finalizeMpi();
    }
}
