package dsf4j.collective;

import java.lang.foreign.MemorySegment;

/**
 * A job of one process, without MPI: every reduction and broadcast leaves its buffer as it is (the
 * reduction over one process is the process's own values). What a run gets by default.
 */
public final class SingleProcess implements Collective {

    public static final SingleProcess INSTANCE = new SingleProcess();

    private SingleProcess() {}

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public String describe() {
        return "one process";
    }

    @Override
    public void allReduce(MemorySegment buffer, Element type, long count, Op op) {}

    @Override
    public void broadcast(MemorySegment buffer, Element type, long count, int root) {}

    @Override
    public void barrier() {}

    @Override
    public void abort(int status) {
        Runtime.getRuntime().halt(status);
    }

    @Override
    public void close() {}
}
