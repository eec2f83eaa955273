package dsf4j.engine.fast;

import dsf4j.config.DsfSolver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The three DSF solvers of δ_t = e_t + λ ⊙ δ_{t+1} on [T, B, D] = [T, 16, 256] (4096 channels); the score
 * divided by T·4096 is the cost per channel·step. Each invocation solves a fresh copy of e (the copy is
 * timed too, and is the same for all three).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DsfSolverBench {

    @Param({"64", "256", "1024", "2048"})
    public int steps;

    @Param({"SCAN", "PREFIX", "FFT"})
    public DsfSolver solver;

    private static final int B = 16, D = 256;
    private float[] e, x, lambda;
    private DiagonalSolvers solvers;

    @Setup(Level.Trial)
    public void setup() {
        Random r = new Random(1);
        e = new float[steps * B * D];
        for (int i = 0; i < e.length; i++) e[i] = (float) r.nextGaussian();
        x = new float[e.length];
        lambda = new float[D];
        for (int i = 0; i < D; i++) lambda[i] = i / (float) (D - 1);
        solvers = new DiagonalSolvers(solver, steps, B, D);
    }

    @Benchmark
    public float[] solve() {
        System.arraycopy(e, 0, x, 0, e.length);
        solvers.solve(x, lambda);
        return x;
    }
}
