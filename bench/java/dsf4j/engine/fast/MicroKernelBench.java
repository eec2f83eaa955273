package dsf4j.engine.fast;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One GEMM micro-kernel alone, {@code MicroKernels.tile<MR>x2} over one packed depth block of KC, on an
 * MR × KC panel of A and one KC × NR panel of B that stay in L1 (12 × 128: 6 + 16 KiB at 512 bits): how
 * close the kernel's loop comes to the FMA peak ({@link FmaPeakBench}) with no memory traffic beyond
 * L1. {@link GemmBench} adds the packing, the stream of B's micro-panels from L2 and the tiles of C;
 * where the GEMM falls short of its reference and this does not, the memory side is what to look at
 * ({@code bench/kernel-asm.sh} shows the loop's instructions). The "gflop" counter, reported per second,
 * is GFLOP/s; 1 or 2 workers, each on its own panels, on dsf4j's parallel-for as in GemmBench.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MicroKernelBench {

    /**
     * Kernel calls per task, tasks per worker and benchmark call: many short tasks, handed out
     * dynamically, so that both workers stay busy (FmaPeakBench does the same).
     */
    static final int CALLS = 16, TASKS = 32;

    @Param({"12", "8", "6"})
    public int mr;

    @Param({"128", "256"})
    public int kc;

    @Param({"1", "2"})
    public int threads;

    /**
     * B's KC × NR micro-panels per worker, visited in turn as the GEMM's inner loop does: 1 keeps the one
     * panel in L1; 24 at KC 256 and 512 bits is a 768 KiB block streamed from L2, the GEMM's KC × NC block
     * on a 1 MiB L2 (A's micro-panel stays in L1 either way, each panel's tile of C is its own).
     */
    @Param({"1"})
    public int panels;

    private Parallel parallel;
    private float[][] pa, pb, c;     // per worker: [mr·kc], [kc·nr], [mr·nr]; the kernel adds into c
    private Parallel.Body body;

    @Setup(Level.Trial)
    public void setup() {
        int nr = 2 * Simd.L;
        parallel = new Parallel(threads);
        pa = new float[threads][mr * kc];
        pb = new float[threads][panels * kc * nr];
        c = new float[threads][panels * mr * nr];
        for (int w = 0; w < threads; w++) {
            // small values: the sums added to C on every call stay far from overflow over a whole run
            for (int i = 0; i < pa[w].length; i++) pa[w][i] = 1e-3f * (1 + i % 7);
            for (int i = 0; i < pb[w].length; i++) pb[w][i] = 1e-3f * (1 + i % 5);
        }
        int rows = mr, depth = kc, np = panels;
        body = (task, worker) -> {
            float[] a = pa[worker], b = pb[worker], sums = c[worker];
            for (int i = 0; i < CALLS; i++) {
                int j = (task * CALLS + i) % np;
                MicroKernels.tile(rows, depth, a, 0, b, j * depth * nr, sums, j * rows * nr, nr, true);
            }
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public float kernel(GflopCounter flops) {
        parallel.forEach(threads * TASKS, body);
        flops.gflop += 2e-9 * mr * (2 * Simd.L) * kc * (double) CALLS * TASKS * threads;
        return c[0][0];
    }
}
