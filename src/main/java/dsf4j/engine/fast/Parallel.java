package dsf4j.engine.fast;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The fast path's one parallel-for: runs {@code body.run(task, worker)} for task = 0 … n−1 on
 * {@code threads} workers (the calling thread is worker 0, the others are daemon threads owned here).
 *
 * <p>Tasks are handed out dynamically, so which worker runs a task varies; callers make every task
 * write a disjoint part of the output and reduce in a fixed order, which keeps results bitwise
 * identical for any thread count. The worker index picks per-worker scratch (packing buffers).
 *
 * <p>Nothing is allocated per call: workers wait for a new generation number (spinning briefly, then
 * parked), and the caller waits on a counter. This is why it is not a ForkJoinPool: reusing a
 * ForkJoinTask races with the pool marking it done, and fresh tasks or {@code join()} allocate.
 * Not re-entrant: a body that calls {@link #forEach} on the same instance gets an
 * {@link IllegalStateException} (at any thread count), rather than a deadlock or a silent overwrite of
 * the running loop's state. One caller at a time.
 */
public final class Parallel implements AutoCloseable {

    /** One unit of work. {@code worker} ∈ [0, threads) names the scratch it may use. */
    @FunctionalInterface
    public interface Body {
        void run(int task, int worker);
    }

    private static final int SPINS = 1 << 14;

    private final int threads;
    private final Thread[] workers;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Body body;
    private volatile int count;
    private volatile Throwable failure;
    private volatile boolean inForEach;   // a forEach is in progress (the re-entry check)

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1 (got " + threads + ")");
        this.threads = threads;
        this.workers = new Thread[threads];
        for (int w = 1; w < threads; w++) {
            int index = w;
            workers[w] = Thread.ofPlatform().daemon().name("dsf4j-worker-" + w).start(() -> workerLoop(index));
        }
    }

    /** All available cores. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} for every task in [0, n) and returns when all have finished.
     *
     * @throws IllegalStateException when called from inside a body of this instance (re-entry), or after close
     */
    public void forEach(int n, Body body) {
        if (inForEach) throw new IllegalStateException("Parallel.forEach re-entered: a body called forEach on the instance running it (a parallel-for is not re-entrant)");
        inForEach = true;
        try {
            if (threads == 1 || n <= 1) {
                for (int i = 0; i < n; i++) body.run(i, 0);
            } else {
                dispatch(n, body);
            }
        } finally {
            inForEach = false;
        }
    }

    private void dispatch(int n, Body body) {
        if (closed) throw new IllegalStateException("parallel-for used after close()");
        this.body = body;
        this.count = n;
        this.failure = null;
        next.set(0);
        running.set(threads - 1);
        generation++;                                     // publishes body and count to the workers
        for (int w = 1; w < threads; w++) LockSupport.unpark(workers[w]);
        drainCatching(0);
        for (int spins = 0; running.get() != 0; spins++) {
            if (spins < SPINS) Thread.onSpinWait();
            else Thread.yield();
        }
        this.body = null;
        Throwable f = failure;
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error er) throw er;
    }

    private void drainCatching(int worker) {
        try {
            Body b = body;
            int n = count;
            for (int i; (i = next.getAndIncrement()) < n; ) b.run(i, worker);
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(Integer.MAX_VALUE / 2);                  // the others stop taking tasks
        }
    }

    private void workerLoop(int index) {
        int seen = 0;
        while (true) {
            int g;
            for (int spins = 0; (g = generation) == seen && !closed; spins++) {
                if (spins < SPINS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = g;
            drainCatching(index);
            running.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (int w = 1; w < threads; w++) LockSupport.unpark(workers[w]);
    }
}
