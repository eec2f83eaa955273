package dsf4j.train;

import dsf4j.config.ModelConfig;
import dsf4j.io.SafeTensors;
import dsf4j.io.SafeTensorsFile;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
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

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the per-tensor CRC-32C costs a checkpoint: saving and loading the PTB GRU 1L256 checkpoint (weights and
 * Adam's two moments, 5.5M parameters × 3 × 4 bytes = 66 MB) with checksums and without.
 * <ul>
 * <li>{@code save}: {@link Checkpoint#save}'s writer, atomic (temporary file, fsync, rename), into {@code -p dir}
 *     (default: a temporary folder); the fsync makes it depend on the disk.</li>
 * <li>{@code load}: {@link Checkpoint#load} of a file in the page cache: header, every tensor read (and checked when
 *     the file has checksums) and compared against the config.</li>
 * <li>{@code crc32c}: the CRC-32C of the file's 66 MB alone, 1 MiB at a time (as the writer and the reader feed it);
 *     it does not depend on {@code checksums}.</li>
 * </ul>
 * <pre>java -cp bench/target/benchmarks.jar:target/dsf4j.jar org.openjdk.jmh.Main CheckpointBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CheckpointBench {

    @Param({"true", "false"})
    public boolean checksums;

    /** Where the files go (empty: a new temporary folder). */
    @Param({""})
    public String dir;

    private Path folder, saved, loaded;
    private SafeTensors.Writer writer;
    private byte[] bytes;
    private final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

    @Setup(Level.Trial)
    public void setup() throws IOException {
        TrainConfig cfg = Presets.get("ptb-gru-1l256");
        ModelConfig model = cfg.model(10_002, 0);
        Parameters params = ParamLayout.init(model, 1);
        Adam adam = new Adam(params, cfg.optimizer(), cfg.weightDecay());
        SplittableRandom rng = new SplittableRandom(2);
        for (Parameters ps : new Parameters[] {adam.firstMoments(), adam.secondMoments()}) {
            for (Tensor t : ps) for (int i = 0; i < t.size(); i++) t.data()[i] = (float) rng.nextDouble(1e-6);
        }
        folder = dir.isEmpty() ? Files.createTempDirectory("ckpt-bench") : Files.createDirectories(Path.of(dir));
        Path reference = folder.resolve("reference.safetensors");
        Checkpoint.save(reference, model, cfg, params, adam, TrainState.START, Provenance.of("bench", "CheckpointBench"));
        SafeTensorsFile f = SafeTensors.read(reference);
        writer = SafeTensors.writer().metadata(f.metadata()).checksums(checksums);   // the same tensors and metadata as Checkpoint.save's
        for (String n : f.names()) writer.f32(n, f.shape(n), f.f32(n));
        saved = folder.resolve("saved.safetensors");
        loaded = folder.resolve("loaded.safetensors");
        writer.write(loaded);
        bytes = Files.readAllBytes(loaded);
        System.out.printf("%n%s: %.1f MB, checksums %s%n", loaded, Files.size(loaded) / 1e6, checksums);
    }

    @Benchmark
    public void save() throws IOException {
        writer.write(saved);
    }

    @Benchmark
    public Checkpoint load() {
        return Checkpoint.load(loaded, quiet);
    }

    @Benchmark
    public long crc32c() {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        for (int at = 0; at < bytes.length; at += 1 << 20) crc.update(bytes, at, Math.min(1 << 20, bytes.length - at));
        return crc.getValue();
    }

    @TearDown(Level.Trial)
    public void removeFiles() throws IOException {
        if (!dir.isEmpty()) return;
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
