package dsf4j.cli;

import dsf4j.io.StepsFile;
import dsf4j.train.StepDump;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --dump-steps K [--dump-weights every|last]} from the command line: the file, and one line for every bad use. */
class StepDumpCliTest {

    @TempDir
    static Path dir;
    static Path corpus;

    @BeforeAll
    static void corpus() throws IOException {
        corpus = dir.resolve("corpus");
        TrainCliTest.writeCorpus(corpus);
    }

    /** {@code train} on the tiny corpus, 2 steps, and {@code more}. */
    static String[] train(String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", corpus.toString(), "--layers", "1", "--hidden", "4", "--seq", "8", "--batch", "4",
                "--epochs", "1", "--schedule", "const", "--threads", "1", "--engine", "reference"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void writesStepsSafetensorsInTheRunFolder() {
        Path out = dir.resolve("run");
        TrainCliTest.Outcome o = TrainCliTest.cli(train("--max-steps", "3", "--dump-steps", "3", "--dump-weights", "last", "--out", out.toString()));
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("steps 1-3 recorded in " + out.resolve(StepDump.FILE)), o.out());
        StepsFile f = StepsFile.read(out.resolve(StepDump.FILE));
        assertEquals(3, f.steps());
        assertEquals(Set.of(3), f.weights().keySet());
    }

    @Test
    void badDumpFlagsAreOneLine() {
        String out = dir.resolve("never").toString();
        BadInputTest.refused(2, "--dump-steps must be at least 1 (got 0)", train("--dump-steps", "0", "--out", out));
        BadInputTest.refused(2, "'x' is not an int", train("--dump-steps", "x", "--out", out));
        BadInputTest.refused(2, "unknown --dump-weights 'all': use every", train("--dump-steps", "2", "--dump-weights", "all", "--out", out));
        BadInputTest.refused(2, "--dump-weights last needs --dump-steps K", train("--dump-weights", "last", "--out", out));
        BadInputTest.refused(2, "--dump-steps 99 is more than the run's 2 steps", train("--max-steps", "2", "--dump-steps", "99", "--out", out));
        BadInputTest.refused(2, "--dump-steps: stream mode carries the recurrent state",
                train("--data-mode", "stream", "--dump-steps", "2", "--out", out));
        assertFalse(Files.exists(Path.of(out)), "a refused run writes nothing");
    }
}
