package dsf4j.engine.fast;

import dsf4j.bench.BenchPresets;
import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.engine.GradientProbe;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
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

import java.util.concurrent.TimeUnit;

/**
 * One forward + backward of a whole model (loss and every gradient) per method; with {@code -prof gc}
 * it shows that a step allocates nothing once the workspace exists.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TrainingStepBench {

    @Param({"ptb-gru-3l256"})
    public String preset;

    @Param({"bptt", "ftbptt", "dsf", "hybrid:4", "hybrid:16"})
    public String method;

    @Param({"2"})
    public int threads;

    private FastEngine engine;
    private Parameters params, grads;
    private Batch batch;
    private Method parsed;

    @Setup(Level.Trial)
    public void setup() {
        BenchPresets.Preset p = BenchPresets.get(preset);
        engine = new FastEngine(p.config(), DsfSolver.SCAN, threads);
        params = ParamLayout.init(p.config(), 1);
        grads = params.zerosLike();
        parsed = Method.parse(method);
        batch = GradientProbe.randomBatch(p.config(), p.batch(), p.steps(), 2);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public double step() {
        return engine.lossAndGradient(params, batch, parsed, grads);
    }
}
