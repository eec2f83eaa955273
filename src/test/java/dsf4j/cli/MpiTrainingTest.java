package dsf4j.cli;

import dsf4j.collective.MpiLibraryFinder;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.config.DsfSolver;
import dsf4j.io.SafeTensors;
import dsf4j.io.SafeTensorsFile;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import dsf4j.train.Checkpoint;
import dsf4j.train.MpiGradientProbe;
import dsf4j.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real MPI jobs: {@code mpirun} starts child JVMs (this class path, run.sh's flags) that train a tiny
 * model together through Open MPI's libmpi.so.40, over shared memory ({@code --mca btl vader,self}) or
 * TCP on the loopback ({@code --mca btl tcp,self}). Skipped, with the reason, where mpirun or the
 * library is missing ({@code ./run.sh test} installs them with apt-get when it can).
 *
 * <p>Tolerances: the 2-process loss equals one process's to 1e-8 relative, each gradient tensor to 5e-6
 * (norm-wise relative error), as with threads ({@code DataParallelTest}); the weights after 32 Adam steps
 * to 1e-5 relative per tensor. Two 2-process runs, and the shared-memory and TCP runs, agree bit for bit.
 */
class MpiTrainingTest {

    @TempDir
    static Path dir;
    static Path corpus;
    static final String MPIRUN = "mpirun";

    /** Why MPI jobs cannot run here, or empty when they can. */
    static Optional<String> unavailable() {
        try {
            Process p = new ProcessBuilder(MPIRUN, "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !v.contains("Open MPI")) {
                return Optional.of("mpirun is not Open MPI's (" + v.strip().lines().findFirst().orElse("") + ")");
            }
        } catch (IOException | InterruptedException e) {
            return Optional.of("mpirun is not installed (Debian: apt-get install openmpi-bin libopenmpi-dev)");
        }
        if (MpiLibraryFinder.system().find().isEmpty()) return Optional.of("Open MPI's libmpi.so.40 is not installed (Debian: apt-get install libopenmpi-dev)");
        return Optional.empty();
    }

    static void requireMpi() {
        Optional<String> why = unavailable();
        assumeTrue(why.isEmpty(), () -> "MPI tests skipped: " + why.orElse(""));
    }

    @BeforeAll
    static void writeCorpus() throws IOException {
        corpus = dir.resolve("corpus");
        TrainCliTest.writeCorpus(corpus);
    }

    /**
     * 2 epochs of 16 steps, batches of 4 sentences, a validation (and checkpoint) every 8 steps; {@code more}
     * adds flags or replaces these ones' values.
     */
    static List<String> train(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", corpus.toString(), "--cell", "gru", "--layers", "1", "--hidden", "8", "--seq", "8",
                "--batch", "4", "--epochs", "2", "--lr", "0.01", "--schedule", "const", "--threads", "1", "--engine", "fast", "--eval-every", "8",
                "--out", out.toString()));
        for (int i = 0; i + 1 < more.length; i += 2) {
            int at = a.indexOf(more[i]);
            if (at >= 0) {
                a.set(at + 1, more[i + 1]);
            } else {
                a.add(more[i]);
                a.add(more[i + 1]);
            }
        }
        return a;
    }

    /** The child JVM's command: run.sh's flags, this class path. */
    static List<String> java(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xss8m",
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return cmd;
    }

    static List<String> mpirun(List<String> options) {
        List<String> cmd = new ArrayList<>(List.of(MPIRUN, "--oversubscribe"));
        if ("root".equals(System.getProperty("user.name"))) cmd.add("--allow-run-as-root");
        cmd.addAll(options);
        return cmd;
    }

    /** A running mpirun; its output goes to files (a destroyed process's pipes lose what it prints). */
    record Job(Process process, Path out, Path err) {

        static Job start(List<String> cmd) throws IOException {
            Path out = Files.createTempFile(dir, "job", ".out"), err = Files.createTempFile(dir, "job", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("DSF4J_DEBUG");
            return new Job(pb.start(), out, err);
        }

        /** {@code np} processes of {@code dsf4j args}, with the given transport (vader: shared memory; tcp). */
        static Job train(int np, String btl, List<String> args) throws IOException {
            List<String> cmd = mpirun(btl.equals("tcp") ? List.of("--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", "lo", "-np", Integer.toString(np))
                    : List.of("--mca", "btl", "vader,self", "-np", Integer.toString(np)));
            cmd.addAll(java(Main.class.getName(), args));
            return start(cmd);
        }

        String stdout() {
            return read(out);
        }

        /** stderr without the JVM's incubator-module notice. */
        String stderr() {
            return read(err).lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).map(l -> l + "\n").reduce("", String::concat);
        }

        /** dsf4j's own lines on stderr (not mpirun's). */
        List<String> dsf4jLines() {
            return stderr().lines().filter(l -> l.startsWith("dsf4j:")).toList();
        }

        int exit(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("mpirun did not end within " + seconds + " s: " + stdout() + stderr());
            }
            return process.exitValue();
        }

        private static String read(Path p) {
            try {
                return Files.readString(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Runs a job to its end and requires status 0. */
    static Job ok(Job j) throws InterruptedException {
        int status = j.exit(180);
        assertEquals(0, status, j.stdout() + j.stderr());
        return j;
    }

    static void assertSameBits(Path a, Path b) {
        Checkpoint x = Checkpoint.load(a.resolve(Trainer.LAST)), y = Checkpoint.load(b.resolve(Trainer.LAST));
        for (Tensor t : x.params()) assertArrayEquals(t.data(), y.params().data(t.name()), t.name());
        for (Tensor t : x.moments().m()) assertArrayEquals(t.data(), y.moments().m().data(t.name()), "m " + t.name());
        for (Tensor t : x.moments().v()) assertArrayEquals(t.data(), y.moments().v().data(t.name()), "v " + t.name());
        assertEquals(x.state().step(), y.state().step());
    }

    static double relativeError(float[] a, float[] b) {
        double d = 0, n = 0;
        for (int i = 0; i < a.length; i++) {
            d += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            n += (double) a[i] * a[i];
        }
        return n == 0 ? Math.sqrt(d) : Math.sqrt(d / n);
    }

    @Test
    void twoProcessesGiveOneProcesssLossAndGradientForEveryCellAndMethod() throws Exception {
        requireMpi();
        Path file = dir.resolve("probe.safetensors");
        List<String> cmd = mpirun(List.of("-np", "2"));
        cmd.addAll(java(MpiGradientProbe.class.getName(), List.of(file.toString())));
        ok(Job.start(cmd));
        SafeTensorsFile f = SafeTensors.read(file);
        assertEquals("2", f.metadata().get("world_size"));
        for (var cell : MpiGradientProbe.CELLS) {
            ModelConfig m = MpiGradientProbe.model(cell);
            Parameters p = ParamLayout.init(m, 11);
            try (Engine e = Engines.create("fast", m, DsfSolver.SCAN, 1)) {
                for (Method method : Method.values()) {
                    String name = MpiGradientProbe.name(cell, method);
                    Parameters g = p.zerosLike();
                    double loss = e.lossAndGradient(p, MpiGradientProbe.batch(m), method, g);
                    assertEquals(loss, f.f64("loss/" + name)[0], 1e-8 * loss, name);
                    for (Tensor t : g) {
                        if (!t.trainable()) continue;
                        float[] two = new float[t.size()];
                        f.f32("grad/" + name + "/" + t.name(), two);
                        double err = relativeError(t.data(), two);
                        assertTrue(err <= 5e-6, name + " " + t.name() + ": " + err);
                    }
                }
            }
        }
    }

    private static Job straight;

    /** The run on 2 processes over shared memory that the others are compared with (made once). */
    static synchronized Job straight() throws Exception {
        if (straight == null) straight = ok(Job.train(2, "vader", train(dir.resolve("vader-a"))));
        return straight;
    }

    @Test
    void twoProcessesTwiceOverSharedMemoryAndOverTcpGiveTheSameBitsAndOneProcesssWeights() throws Exception {
        requireMpi();
        Path a = dir.resolve("vader-a"), b = dir.resolve("vader-b"), tcp = dir.resolve("tcp"), one = dir.resolve("one");
        Job first = straight();
        ok(Job.train(2, "vader", train(b)));
        ok(Job.train(2, "tcp", train(tcp)));
        assertSameBits(a, b);
        assertSameBits(a, tcp);

        String out = first.stdout();
        assertEquals(1, out.lines().filter(l -> l.startsWith("training ")).count(), "rank 0 alone prints: " + out);
        assertTrue(out.contains("data parallel: MPI, rank 0 of 2 (Open MPI v"), out);
        assertTrue(out.contains("each process takes 2 of every 4 sequences"), out);
        assertTrue(out.contains("all-reduce: "), out);
        assertEquals(List.of(), first.dsf4jLines());
        Checkpoint two = Checkpoint.load(a.resolve(Trainer.LAST));
        assertEquals(2, two.worldSize());
        assertEquals(32, two.state().step());

        TrainCliTest.Outcome single = TrainCliTest.cli(train(one).toArray(String[]::new));
        assertEquals(0, single.status(), single.err());
        Parameters p1 = Checkpoint.load(one.resolve(Trainer.LAST)).params();
        for (Tensor t : p1) {
            double err = relativeError(t.data(), two.params().data(t.name()));
            assertTrue(err < 1e-5, t.name() + ": " + err);
        }
    }

    @Test
    void aResumeOnTwoProcessesIsBitIdenticalAndOnOneItContinuesAndSaysItIsNot() throws Exception {
        requireMpi();
        straight();
        Path straight = dir.resolve("vader-a"), split = dir.resolve("r-split"), toOne = dir.resolve("r-one");
        ok(Job.train(2, "vader", train(split, "--max-steps", "6")));
        Job resumed = ok(Job.train(2, "vader", List.of("train", "--resume", split.toString(), "--max-steps", "0")));
        assertTrue(resumed.stdout().startsWith("resuming at step 6 of "), resumed.stdout());
        assertFalse(resumed.stdout().contains("not bit-identically"), resumed.stdout());
        assertSameBits(straight, split);

        ok(Job.train(2, "vader", train(toOne, "--max-steps", "6")));
        TrainCliTest.Outcome one = TrainCliTest.cli("train", "--resume", toOne.toString(), "--max-steps", "0");
        assertEquals(0, one.status(), one.err());
        assertTrue(one.out().contains("the checkpoint was written by 2 processes and this run has 1: the batches are the same, now shared by 1 instead of 2"),
                one.out());
        Checkpoint c = Checkpoint.load(toOne.resolve(Trainer.LAST));
        assertEquals(32, c.state().step());
        assertEquals(1, c.worldSize());
    }

    /** The ranks' JVMs under {@code job}'s mpirun, by rank (from their environment). */
    static ProcessHandle rank(Job job, int rank) throws IOException {
        for (ProcessHandle h : job.process().descendants().toList()) {
            Path env = Path.of("/proc", Long.toString(h.pid()), "environ");
            if (!Files.isReadable(env)) continue;
            for (String v : new String(Files.readAllBytes(env), StandardCharsets.UTF_8).split("\0")) {
                if (v.equals("OMPI_COMM_WORLD_RANK=" + rank)) return h;
            }
        }
        throw new AssertionError("no process of rank " + rank + " under mpirun " + job.process().pid());
    }

    static void awaitCheckpoint(Job job, Path run) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.exists(run.resolve(Trainer.LAST))) {
            assertTrue(job.process().isAlive(), "the job ended early: " + job.stdout() + job.stderr());
            assertTrue(System.nanoTime() < deadline, "no checkpoint: " + job.stdout() + job.stderr());
            Thread.sleep(20);
        }
    }

    @Test
    void killDashNineOfOneProcessEndsTheJobWithinSecondsLeavingACheckpointThatResumes() throws Exception {
        requireMpi();
        Path run = dir.resolve("killed");
        Job job = Job.train(2, "vader", train(run, "--epochs", "100000", "--max-steps", "100000"));
        awaitCheckpoint(job, run);
        Thread.sleep(300);
        rank(job, 1).destroyForcibly();
        long t0 = System.nanoTime();
        int status = job.exit(60);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 15, "the job took " + seconds + " s to end");
        assertNotEquals(0, status, "a process was killed: " + job.stderr());
        long step = Checkpoint.load(run.resolve(Trainer.LAST)).state().step();
        assertTrue(step >= 4, "step " + step);
        Job resumed = ok(Job.train(2, "vader", List.of("train", "--resume", run.toString(), "--max-steps", Long.toString(step + 3))));
        assertTrue(resumed.stdout().startsWith("resuming at step " + step + " of "), resumed.stdout());
        assertEquals(step + 3, Checkpoint.load(run.resolve(Trainer.LAST)).state().step());
    }

    /**
     * SIGTERM to mpirun: it passes SIGTERM on to every process after odls_base_sigkill_timeout (1 s by
     * default; 3 here, so that a loaded test machine still saves in time) and SIGKILL as long again later;
     * rank 0 saves the last whole step at once and every process exits 0 (mpirun itself then reports 1,
     * whatever its processes do).
     */
    @Test
    void sigtermToMpirunSavesTheLastStepThroughRankZero() throws Exception {
        requireMpi();
        Path run = dir.resolve("stopped");
        List<String> cmd = mpirun(List.of("--mca", "odls_base_sigkill_timeout", "3", "-np", "2"));
        cmd.addAll(java(Main.class.getName(), train(run, "--epochs", "100000", "--max-steps", "100000")));
        Job job = Job.start(cmd);
        awaitCheckpoint(job, run);
        Thread.sleep(500);
        new ProcessBuilder("kill", "-TERM", Long.toString(job.process().pid())).start().waitFor();
        job.exit(60);
        Matcher m = Pattern.compile("stopped by SIGTERM after step (\\d+) of 100000: (\\S+) holds it; resume with ./run.sh train --resume (\\S+)")
                .matcher(job.stdout());
        assertTrue(m.find(), job.stdout() + job.stderr());
        assertEquals(run.resolve(Trainer.LAST).toString(), m.group(2));
        long step = Long.parseLong(m.group(1));
        assertEquals(step, Checkpoint.load(run.resolve(Trainer.LAST)).state().step());
        assertFalse(job.stderr().contains("exited on signal"), "no process was killed: " + job.stderr());
        assertEquals(List.of(), job.dsf4jLines());
        Job resumed = ok(Job.train(2, "vader", List.of("train", "--resume", run.toString(), "--max-steps", Long.toString(step + 2))));
        assertTrue(resumed.stdout().startsWith("resuming at step " + step + " of "), resumed.stdout());
    }

    @Test
    void aBatchTheProcessesDoNotDivideAndProcessesThatDisagreeAreOneLineBeforeTraining() throws Exception {
        requireMpi();
        Path run = dir.resolve("refused");
        Job three = Job.train(3, "vader", train(run));
        assertEquals(2, three.exit(120));
        assertEquals(List.of("dsf4j: --batch 4 does not divide among 3 processes: give a --batch that is a multiple of 3 (each process takes an equal part "
                + "of every batch), or launch a number of processes that divides 4"), three.dsf4jLines(), three.stderr());
        assertFalse(three.stdout().contains("training "), three.stdout());
        assertFalse(Files.exists(run), "nothing written");

        List<String> cmd = mpirun(List.of("--mca", "btl", "vader,self", "-np", "1"));
        cmd.addAll(java(Main.class.getName(), train(run, "--seed", "1")));
        cmd.addAll(List.of(":", "-np", "1"));
        cmd.addAll(java(Main.class.getName(), train(run, "--seed", "2")));
        Job mixed = Job.start(cmd);
        assertEquals(2, mixed.exit(120));
        assertEquals(List.of("dsf4j: the 2 processes were started with different settings (flags, preset, --check-sync or --on-nan): "
                + "start every process with the same command line"), mixed.dsf4jLines(), mixed.stderr());
        assertFalse(Files.exists(run), "nothing written");
    }

    @Test
    void mpiRequiredWhereTheLibraryCannotBeFoundIsOneLine() throws Exception {
        List<String> cmd = java(Main.class.getName(), train(dir.resolve("never"), "--distributed", "mpi"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("DSF4J_MPI_LIB", dir.resolve("no-such-libmpi.so.40").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        List<String> lines = Arrays.stream(out.split("\n")).filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(List.of("dsf4j: DSF4J_MPI_LIB=" + dir.resolve("no-such-libmpi.so.40") + " is neither Open MPI's library file nor a folder holding libmpi.so.40: "
                + "point it at libmpi.so.40 (e.g. /usr/lib/x86_64-linux-gnu/libmpi.so.40), or unset it"), lines);
    }
}
