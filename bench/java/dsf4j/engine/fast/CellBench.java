package dsf4j.engine.fast;

import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.grad.GradientMethod;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One recurrent layer (H 256, B 128, T 64), forward then backward, per cell and method. A hybrid's
 * windows run together (the fast engine's FastRecurrentLayer.exactWindows) or, with
 * {@code -p windows=oneAfterAnother}, as the plain loop of RecurrentBackward's default: the measurement
 * behind running them together.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CellBench {

    @Param({"RNN", "GRU", "LSTM", "MINGRU"})
    public CellType cell;

    @Param({"bptt", "ftbptt", "dsf", "hybrid:4", "hybrid:16"})
    public String method;

    @Param({"together"})
    public String windows;

    @Param({"2"})
    public int threads;

    private static final int H = 256, B = 128, T = 64;
    private Parallel parallel;
    private FastRecurrentLayer layer;
    private float[] x, dx, e, wIh, wHh, bIh, bHh, dWIh, dWHh, dBIh, dBHh, lambda;
    private GradientMethod gradientMethod;

    @Setup(Level.Trial)
    public void setup() {
        parallel = new Parallel(threads);
        Gemm gemm = new Gemm(parallel);
        CellKernel kernel = CellKernel.of(cell, H);
        layer = new FastRecurrentLayer(kernel, gemm, new ColumnSums(parallel), new RowKernels(parallel), DsfSolver.SCAN, B, T,
                new FastRecurrentLayer.Scratch(kernel, B, T));
        Random r = new Random(1);
        int g = kernel.g, gw = kernel.gh, d = kernel.d;
        x = fill(r, T * B * H);
        e = fill(r, T * B * d);
        dx = new float[T * B * H];
        wIh = fill(r, g * H);
        wHh = gw > 0 ? fill(r, gw * H) : null;
        bIh = fill(r, g);
        bHh = gw > 0 ? fill(r, gw) : null;
        dWIh = new float[g * H];
        dWHh = gw > 0 ? new float[gw * H] : null;
        dBIh = new float[g];
        dBHh = gw > 0 ? new float[gw] : null;
        Method m = Method.parse(method);
        int k = m.window();
        gradientMethod = windows.equals("together") || k == 0 ? GradientMethod.of(m) : layer -> {
            if (k < layer.steps()) layer.solveDiagonal(k);
            for (int from = 0; from < layer.steps(); from += k) layer.exactSteps(from, Math.min(from + k, layer.steps()));
        };
        lambda = new float[d];
        for (int i = 0; i < d; i++) lambda[i] = i / (float) (d - 1);
    }

    private static float[] fill(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (0.06 * r.nextGaussian());
        return a;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public float[] forwardBackward() {
        layer.forward(x, null, wIh, wHh, bIh, bHh);
        System.arraycopy(e, 0, layer.errors(), 0, e.length);
        layer.backward(gradientMethod, lambda, wIh, wHh, dWIh, dWHh, dBIh, dBHh, dx);
        return dx;
    }
}
