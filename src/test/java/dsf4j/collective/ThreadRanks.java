package dsf4j.collective;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A job whose processes are threads of this JVM, for tests of what runs over a {@link Collective}
 * without MPI. Each rank deposits its buffer, and every rank reduces the deposits in rank order 0, 1, …
 * (in the buffer's own precision, as MPI does), so that every rank gets the same bits. It says it was
 * {@link #launched()}, so that the trainer behaves as under mpirun.
 */
public final class ThreadRanks implements Collective {

    private final Shared shared;
    private final int rank;

    private static final class Shared {
        final int size;
        final CyclicBarrier barrier;
        final byte[][] slots;

        Shared(int size) {
            this.size = size;
            this.barrier = new CyclicBarrier(size);
            this.slots = new byte[size][];
        }

        void await() {
            try {
                barrier.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException("a rank did not reach the collective: " + e, e);
            }
        }
    }

    private ThreadRanks(Shared shared, int rank) {
        this.shared = shared;
        this.rank = rank;
    }

    /**
     * Runs {@code body} on {@code n} ranks, each on its own thread with its own collective, and returns
     * their results in rank order (rethrowing the first failure).
     */
    public static <T> List<T> run(int n, Function<Collective, T> body) {
        Shared s = new Shared(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                ThreadRanks c = new ThreadRanks(s, r);
                Callable<T> task = () -> body.apply(c);
                fs.add(pool.submit(task));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) out.add(f.get(10, TimeUnit.MINUTES));
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each rank's outcome: its result, or what it threw. */
    public record Outcome<T>(T value, RuntimeException failure) {}

    /** As {@link #run}, keeping each rank's exception instead of rethrowing the first. */
    public static <T> List<Outcome<T>> outcomes(int n, Function<Collective, T> body) {
        return run(n, c -> {
            try {
                return new Outcome<>(body.apply(c), null);
            } catch (RuntimeException e) {
                return new Outcome<>(null, e);
            }
        });
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return shared.size;
    }

    @Override
    public boolean launched() {
        return true;
    }

    @Override
    public String describe() {
        return "threads, rank " + rank + " of " + shared.size;
    }

    @Override
    public void allReduce(MemorySegment buffer, Element type, long count, Op op) {
        long bytes = count * type.bytes;
        shared.slots[rank] = buffer.asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE);
        shared.await();
        MemorySegment[] in = new MemorySegment[shared.size];
        for (int r = 0; r < shared.size; r++) in[r] = MemorySegment.ofArray(shared.slots[r]);
        for (long i = 0; i < count; i++) {
            switch (type) {
                case FLOAT32 -> {
                    float acc = in[0].getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
                    for (int r = 1; r < in.length; r++) {
                        float x = in[r].getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
                        acc = switch (op) {
                            case SUM -> acc + x;
                            case MAX -> Math.max(acc, x);
                            case MIN -> Math.min(acc, x);
                        };
                    }
                    buffer.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, acc);
                }
                case FLOAT64 -> {
                    double acc = in[0].getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
                    for (int r = 1; r < in.length; r++) acc = apply(op, acc, in[r].getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i));
                    buffer.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, acc);
                }
                case INT64 -> {
                    long acc = in[0].getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
                    for (int r = 1; r < in.length; r++) {
                        long x = in[r].getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
                        acc = switch (op) {
                            case SUM -> acc + x;
                            case MAX -> Math.max(acc, x);
                            case MIN -> Math.min(acc, x);
                        };
                    }
                    buffer.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, acc);
                }
            }
        }
        shared.await();   // nobody deposits the next buffer before every rank has read this one
    }

    private static double apply(Op op, double a, double b) {
        return switch (op) {
            case SUM -> a + b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
        };
    }

    @Override
    public void broadcast(MemorySegment buffer, Element type, long count, int root) {
        long bytes = count * type.bytes;
        if (rank == root) shared.slots[root] = buffer.asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE);
        shared.await();
        if (rank != root) MemorySegment.copy(MemorySegment.ofArray(shared.slots[root]), 0, buffer, 0, bytes);
        shared.await();
    }

    @Override
    public void barrier() {
        shared.await();
    }

    @Override
    public void abort(int status) {
        throw new IllegalStateException("abort(" + status + ") on rank " + rank);
    }

    @Override
    public void close() {}
}
