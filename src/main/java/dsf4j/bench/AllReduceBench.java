package dsf4j.bench;

import dsf4j.collective.Collective;
import dsf4j.collective.DistributedMode;
import dsf4j.model.ParamLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the data-parallel step's all-reduce alone: the in-place sum of a preset's whole float32
 * gradient over the processes of an MPI job, each repetition after a barrier (so the time is the
 * transfer's, not the wait for a slower process). {@code bench --allreduce}, which bench/scaling.sh runs:
 * <pre>
 * mpirun -np 2 [--mca btl vader,self | tcp,self] ./run.sh bench --allreduce --preset PRESET --steps REPS
 * </pre>
 * Rank 0 prints one line: {@code allreduce preset=… floats=… processes=… median_ms=… min_ms=… busbw_GBps=…},
 * the bus bandwidth as NCCL's tests define it, 2(N−1)/N · bytes / time.
 */
public final class AllReduceBench {

    private AllReduceBench() {}

    /** Times {@code reps} all-reduces of {@code preset}'s gradient; rank 0 prints the line to {@code out}. */
    public static void run(String preset, int reps, PrintStream out) {
        long floats = ParamLayout.layout(BenchPresets.get(preset).config()).trainableCount();
        try (Collective world = DistributedMode.AUTO.open(); Arena arena = Arena.ofConfined()) {
            if (world.size() < 2) {
                throw new IllegalArgumentException("bench --allreduce times the all-reduce between processes: start it with mpirun -np 2 (or more)");
            }
            MemorySegment buf = arena.allocate(4 * floats, 64);
            double[] ms = new double[reps];
            for (int i = -2; i < reps; i++) {   // two untimed repetitions: connections, buffers
                world.barrier();
                long t0 = System.nanoTime();
                world.allReduce(buf, Collective.Element.FLOAT32, floats, Collective.Op.SUM);
                if (i >= 0) ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            double median = sorted[reps / 2], n = world.size();
            double busGBps = 2 * (n - 1) / n * 4 * floats / (median / 1e3) / 1e9;
            if (world.leader()) {
                out.printf(Locale.ROOT, "allreduce preset=%s floats=%d processes=%d median_ms=%.2f min_ms=%.2f busbw_GBps=%.2f%n",
                        preset, floats, world.size(), median, sorted[0], busGBps);
            }
        }
    }
}
