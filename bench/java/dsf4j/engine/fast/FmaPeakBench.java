package dsf4j.engine.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * The machine's FP32 FMA peak at the JVM's vector width ({@code -jvmArgsAppend -Ddsf4j.vectorBits=128}
 * for 128 bits): 12 independent chains acc_i = acc_i·y + x per worker, all in registers, so nothing but
 * the FMA pipes limits it (12 ≥ 4-cycle latency × 2 pipes, and 12 + 2 operands fit AVX2's 16 registers).
 * The "gflop" counter, reported per second, is GFLOP/s; 1 or 2 workers on dsf4j's parallel-for, as in
 * {@link GemmBench}. It is the reference for the GEMM at 128 bits, where OpenBLAS has no FMA kernel on x86.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FmaPeakBench {

    /**
     * Chains per task; loop trips per task (short, so that C2 compiles the method whole rather than
     * replacing its loop on the stack, which kept the vectors boxed); tasks per worker and call.
     */
    static final int CHAINS = 12, TRIPS = 1 << 12, TASKS = 64;

    @Param({"1", "2"})
    public int threads;

    private Parallel parallel;
    private final float[] sink = new float[2 * TASKS * 64];
    private final Parallel.Body body = (task, worker) -> sink[task] += chains(TRIPS, 0.5f + (task & 7), 0.999f);

    @Setup(Level.Trial)
    public void setup() {
        parallel = new Parallel(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public float fma(GflopCounter flops) {
        parallel.forEach(threads * TASKS, body);
        flops.gflop += 2e-9 * CHAINS * Simd.L * TRIPS * TASKS * threads;
        return sink[0];
    }

    /**
     * {@value #CHAINS} independent FMA chains of {@code trips} steps. The vectors are made here from floats:
     * a vector passed in as an argument has no exact class for C2, which then boxes it (2.7 GFLOP/s).
     */
    static float chains(int trips, float xs, float ys) {
        VectorSpecies<Float> s = Simd.F;
        FloatVector x = FloatVector.broadcast(s, xs), y = FloatVector.broadcast(s, ys);
        FloatVector a0 = x, a1 = x.add(1), a2 = x.add(2), a3 = x.add(3), a4 = x.add(4), a5 = x.add(5);
        FloatVector a6 = x.add(6), a7 = x.add(7), a8 = x.add(8), a9 = x.add(9), a10 = x.add(10), a11 = x.add(11);
        for (int i = 0; i < trips; i++) {
            a0 = a0.fma(y, x); a1 = a1.fma(y, x); a2 = a2.fma(y, x); a3 = a3.fma(y, x);
            a4 = a4.fma(y, x); a5 = a5.fma(y, x); a6 = a6.fma(y, x); a7 = a7.fma(y, x);
            a8 = a8.fma(y, x); a9 = a9.fma(y, x); a10 = a10.fma(y, x); a11 = a11.fma(y, x);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
