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

import java.util.Random;

/**
 * {@link Gemm} on the shapes of a training step; the "gflop" counter (reported per second) is the
 * GFLOP/s. MxKxN (x-separated, as JMH splits -p values at commas): C[M×N] = op(A)[M×K]·op(B)[K×N]. NN: dX = dY·W; NT: Y = X·Wᵀ; TN: dW = dYᵀ·X.
 * {@code blocking}: empty for this machine's ({@link GemmChoice}), or a blocking such as
 * {@code "6x2 kc=256 mc=144 nc=512"} (any part; the model fills in the rest), to compare blockings in one run.
 * {@code packed=true}: op(B) packed once in the setup ({@link Gemm#pack}), as a recurrent layer does with
 * W_hh for its T per-step products (e.g. {@code -p mkn=64x256x768 -p form=NT -p packed=false,true}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBench {

    @Param({"128x256x768", "8192x256x768", "8192x256x10000", "256x8192x768", "1024x1024x1024"})
    public String mkn;

    @Param({"NN", "NT", "TN"})
    public String form;

    @Param({"1", "2"})
    public int threads;

    @Param({""})
    public String blocking;

    @Param({"false"})
    public boolean packed;

    private int m, k, n;
    private float[] a, b, c;
    private Parallel parallel;
    private Gemm gemm;
    private Gemm.PackedB packedB;

    @Setup(Level.Trial)
    public void setup() {
        String[] s = mkn.split("x");
        m = Integer.parseInt(s[0]);
        k = Integer.parseInt(s[1]);
        n = Integer.parseInt(s[2]);
        Random r = new Random(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
        parallel = new Parallel(threads);
        gemm = blocking.isBlank() ? new Gemm(parallel) : new Gemm(parallel, GemmChoice.resolve(CpuInfo.current(), blocking, Simd.BITS, Simd.L).blocking());
        if (packed) packedB = gemm.pack(form.equals("NT"), k, n, b, 0, form.equals("NT") ? k : n, new Gemm.PackedB(0));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public void multiply(GflopCounter flops) {
        boolean ta = form.equals("TN");
        if (packed) gemm.multiply(false, ta, m, a, 0, ta ? m : k, packedB, c, 0, n);     // B packed in the setup
        else switch (form) {
            case "NN" -> gemm.nn(m, n, k, a, 0, b, 0, c, 0, false);
            case "NT" -> gemm.nt(m, n, k, a, 0, b, 0, c, 0, false);     // b read as [N, K]
            default -> gemm.tn(m, n, k, a, 0, b, 0, c, 0, false);       // a read as [K, M]
        }
        flops.gflop += 2e-9 * m * n * k;
    }
}
