package dsf4j.cli;

import dsf4j.model.Tensor;
import dsf4j.train.Checkpoint;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What happens to the process: a child JVM (this class path, the flags of run.sh) trains a tiny
 * model and is killed with SIGKILL at random moments, stopped with SIGTERM or SIGINT, or refused
 * for its heap or its data; exit statuses, stderr and the checkpoints left behind are checked.
 */
class ProcessFaultsTest {

    @TempDir
    static Path dir;
    static Path corpus;

    /** Long enough never to end by itself: a signal ends it. */
    static final String ENDLESS = "100000";

    @BeforeAll
    static void writeCorpus() throws IOException {
        corpus = dir.resolve("corpus");
        TrainCliTest.writeCorpus(corpus);
    }

    static String[] train(String out, String evalEvery, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", corpus.toString(), "--layers", "1", "--hidden", "4", "--seq", "8", "--batch", "4",
                "--epochs", "100000", "--max-steps", ENDLESS, "--schedule", "const", "--lr", "0.01", "--threads", "1", "--engine", "reference",
                "--eval-every", evalEvery, "--out", out));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /**
     * A running child JVM. Its stdout and stderr go to files: {@link Process#destroy()} closes the
     * pipes of a process, which would lose what it prints while it stops.
     */
    record Child(Process process, Path out, Path err) {

        static Child start(Map<String, String> env, List<String> jvmFlags, String... args) throws IOException {
            return start(dir, env, jvmFlags, args);
        }

        /**
         * A child JVM in working directory {@code cwd} (its stdout and stderr files go there too). The variables that
         * point dsf4j at data or change how it fetches it are not inherited: only {@code env} sets them.
         */
        static Child start(Path cwd, Map<String, String> env, List<String> jvmFlags, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC"));
            cmd.addAll(jvmFlags);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
            cmd.addAll(List.of(args));
            Path out = Files.createTempFile(cwd, "child", ".out"), err = Files.createTempFile(cwd, "child", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            for (String v : List.of("DSF4J_DEBUG", "DSF4J_DATA", "DSF4J_OFFLINE", "DSF4J_MANIFEST", "DSF4J_DATA_MIRROR")) pb.environment().remove(v);
            pb.environment().putAll(env);
            return new Child(pb.start(), out, err);
        }

        static Child start(String... args) throws IOException {
            return start(Map.of(), List.of(), args);
        }

        String stdout() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** stderr without the JVM's incubator-module notice. */
        String stderr() {
            try {
                return Files.readAllLines(err).stream().filter(l -> !l.startsWith("WARNING: Using incubator modules")).map(l -> l + "\n").reduce("", String::concat);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits until stdout holds {@code text} (the child is then past its start-up). */
        void awaitOutput(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!stdout().contains(text)) {
                assertTrue(process.isAlive(), "the child ended early: " + stdout() + stderr());
                assertTrue(System.nanoTime() < deadline, "no '" + text + "' in " + stdout());
                Thread.sleep(10);
            }
        }

        int exit() throws InterruptedException {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the child did not end");
            return process.exitValue();
        }
    }

    /**
     * SIGKILL at random moments of a run that saves every step: each time, the last checkpoint loads,
     * and the next run resumes from it; no temporary file survives a resume.
     */
    @Test
    void killDashNineAtAnyMomentLeavesALoadableCheckpoint() throws Exception {
        Path run = dir.resolve("killed");
        Random rng = new Random(6);
        long lastStep = 0;
        for (int round = 0; round < 4; round++) {
            Child c = round == 0 ? Child.start(train(run.toString(), "1")) : Child.start("train", "--resume", run.toString());
            c.awaitOutput(round == 0 ? "training " : "resuming at step " + lastStep + " of ");
            while (!Files.exists(run.resolve(Trainer.LAST))) Thread.sleep(5);
            Thread.sleep(rng.nextInt(250));
            c.process().destroyForcibly();
            assertEquals(137, c.exit(), "killed by SIGKILL: " + c.stdout() + c.stderr());
            Checkpoint last = Checkpoint.load(run.resolve(Trainer.LAST));
            assertTrue(last.state().step() >= lastStep, "steps " + lastStep + " → " + last.state().step());
            lastStep = last.state().step();
        }
        TrainCliTest.Outcome end = TrainCliTest.cli("train", "--resume", run.toString(), "--max-steps", Long.toString(lastStep + 2));
        assertEquals(0, end.status(), end.err());
        assertTrue(end.out().startsWith("resuming at step " + lastStep + " of "), end.out());
        assertEquals(lastStep + 2, Checkpoint.load(run.resolve(Trainer.LAST)).state().step());
        try (Stream<Path> files = Files.list(run)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "the resume removed the leftovers");
        }
    }

    /**
     * SIGTERM (Process.destroy on Linux): the child finishes its step, saves, says how to resume and
     * exits 0; resuming then gives the weights and Adam moments of an uninterrupted run, bit for bit.
     */
    @Test
    void sigtermSavesAndExitsZeroAndTheResumedRunEqualsAStraightOne() throws Exception {
        Path run = dir.resolve("terminated");
        Child c = Child.start(train(run.toString(), "1000"));
        c.awaitOutput("training ");
        Thread.sleep(300);
        c.process().destroy();
        assertEquals(0, c.exit(), c.stderr());
        long step = stoppedAt(c, "SIGTERM", run);
        assertTrue(c.stderr().contains("dsf4j: SIGTERM: finishing the current step and writing a checkpoint"), c.stderr());
        assertTrue(step % 1000 != 0, "stopped between validations, at step " + step);

        String end = Long.toString(step + 5);
        TrainCliTest.Outcome resumed = TrainCliTest.cli("train", "--resume", run.toString(), "--max-steps", end);
        assertEquals(0, resumed.status(), resumed.err());
        Path straight = dir.resolve("straight");
        String[] args = train(straight.toString(), "1000");
        args[List.of(args).indexOf("--max-steps") + 1] = end;
        assertEquals(0, TrainCliTest.cli(args).status());

        Checkpoint a = Checkpoint.load(straight.resolve(Trainer.LAST)), b = Checkpoint.load(run.resolve(Trainer.LAST));
        assertEquals(step + 5, b.state().step());
        assertEquals(a.state().epoch(), b.state().epoch());
        assertEquals(a.state().batchIndex(), b.state().batchIndex());
        for (Tensor t : a.params()) assertArrayEquals(t.data(), b.params().data(t.name()), 0f, t.name());
        for (Tensor t : a.moments().m()) assertArrayEquals(t.data(), b.moments().m().data(t.name()), 0f, t.name());
        for (Tensor t : a.moments().v()) assertArrayEquals(t.data(), b.moments().v().data(t.name()), 0f, t.name());
    }

    @Test
    void sigintSavesAndExitsZero() throws Exception {
        Path run = dir.resolve("interrupted");
        Child c = Child.start(train(run.toString(), "1000"));
        c.awaitOutput("training ");
        assumeFalse(ignores(c.process().pid(), 2), "the child was started with SIGINT ignored (a background job): nothing to test");
        Thread.sleep(200);
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(c.process().pid())).start();
        assertEquals(0, kill.waitFor());
        assertEquals(0, c.exit(), c.stderr());
        long step = stoppedAt(c, "SIGINT", run);
        assertEquals(step, Checkpoint.load(run.resolve(Trainer.LAST)).state().step());
    }

    /**
     * Two trainers on one --out: the second is refused in one line naming the first's pid, and writes nothing; once the
     * first is killed with SIGKILL, its lock file (still there, naming a dead pid) does not block the next run.
     */
    @Test
    void oneTrainerPerRunFolderAndAKilledHoldersLockNeverBlocks() throws Exception {
        Path run = dir.resolve("locked");
        Child first = Child.start(train(run.toString(), ENDLESS));   // validates (and saves) only at its end: the folder holds no run
        first.awaitOutput("training ");
        Child second = Child.start(train(run.toString(), ENDLESS));
        assertEquals(2, second.exit(), second.stderr());
        assertEquals("dsf4j: --out " + run + " is in use by another dsf4j train (pid " + first.process().pid() + "): wait for it to end, or stop it "
                + "(Ctrl-C or kill, and it saves a checkpoint), or choose another --out", second.stderr().strip());
        assertTrue(first.process().isAlive(), "the first run goes on");

        first.process().destroyForcibly();
        assertEquals(137, first.exit());
        assertEquals(first.process().pid() + "\n", Files.readString(run.resolve("train.lock")), "the dead holder's lock file is still there");
        String[] next = train(run.toString(), ENDLESS);
        next[List.of(next).indexOf("--max-steps") + 1] = "3";
        Child third = Child.start(next);
        assertEquals(0, third.exit(), third.stderr());
        assertTrue(third.stdout().contains("done: best valid ppl"), third.stdout());
    }

    /** A corpus whose digest differs from the manifest's is refused, as one line, exit 2. */
    @Test
    void aCorpusWithTheWrongChecksumIsRefused() throws Exception {
        Path root = dir.resolve("fake-data");
        Path ptb = Files.createDirectories(root.resolve("ptb"));
        for (String split : List.of("train", "valid", "test")) Files.copy(corpus.resolve(split + ".txt"), ptb.resolve("ptb." + split + ".txt"));
        Child c = Child.start(Map.of("DSF4J_DATA", root.toString()), List.of(), "train", "--data", "ptb", "--out", dir.resolve("never").toString());
        assertEquals(2, c.exit());
        String err = c.stderr().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.matches("dsf4j: .*ptb\\.train\\.txt: sha256 [0-9a-f]{64} does not match the recorded [0-9a-f]{64} for ptb train "
                + "\\(data/datasets\\.tsv\\): replace it with a good copy \\(data/fetch\\.sh ptb\\)"), err);
        assertFalse(Files.exists(dir.resolve("never")));
    }

    /** Too small a heap: refused before allocating, with an -Xmx that, given, lets the same run train. */
    @Test
    void aRunTooLargeForTheHeapIsRefusedWithAnXmxThatFits() throws Exception {
        String[] args = {"train", "--data", corpus.toString(), "--block", "transformer", "--layers", "2", "--hidden", "128", "--seq", "32", "--batch", "64",
                "--epochs", "1", "--max-steps", "1", "--threads", "1", "--engine", "reference", "--out", dir.resolve("big").toString()};
        Child small = Child.start(Map.of(), List.of("-Xmx32m"), args);
        assertEquals(2, small.exit(), small.stderr());
        String err = small.stderr().strip();
        assertEquals(1, err.lines().count(), err);
        Matcher m = Pattern.compile("run with DSF4J_JAVA_OPTS=(-Xmx\\w+) ").matcher(err);
        assertTrue(err.startsWith("dsf4j: this configuration needs about ") && m.find(), err);
        assertFalse(Files.exists(dir.resolve("big")), "nothing was written");

        Child fits = Child.start(Map.of(), List.of(m.group(1)), args);
        assertEquals(0, fits.exit(), fits.stderr());
        assertTrue(fits.stdout().contains("done: best valid ppl"), fits.stdout());
    }

    /** The step the child reports it stopped at, after checking the line that says how to resume. */
    private static long stoppedAt(Child c, String signal, Path run) {
        Matcher m = Pattern.compile("stopped by " + signal + " after step (\\d+) of " + ENDLESS + ": " + Pattern.quote(run.resolve(Trainer.LAST).toString())
                + " holds it; resume with \\./run\\.sh train --resume " + Pattern.quote(run.toString())).matcher(c.stdout());
        assertTrue(m.find(), c.stdout());
        long step = Long.parseLong(m.group(1));
        assertEquals(step, Checkpoint.load(run.resolve(Trainer.LAST)).state().step());
        return step;
    }

    /** Whether process {@code pid} ignores signal {@code signo} (Linux: the SigIgn mask of /proc/PID/status). */
    private static boolean ignores(long pid, int signo) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (!Files.exists(status)) return false;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).strip(), 16) >> (signo - 1) & 1) != 0;
        }
        return false;
    }
}
