package dsf4j.cli;

import dsf4j.train.Checkpoint;
import dsf4j.train.Metrics;
import dsf4j.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The train, eval, generate and plot commands end to end on a tiny corpus folder. */
class TrainCliTest {

    @TempDir
    static Path dir;
    static Path corpus, run;

    record Outcome(int status, String out, String err) {}

    static Outcome cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = Main.run(args);
            return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Sentences from a seeded chain over 12 words, so that a model can learn something. */
    static void writeCorpus(Path d) throws IOException {
        Files.createDirectories(d);
        String[] words = {"the", "cat", "sat", "on", "a", "mat", "dog", "ran", "to", "big", "red", "house"};
        Random rng = new Random(3);
        for (String split : new String[] {"train", "valid", "test"}) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < (split.equals("train") ? 64 : 16); i++) {
                StringBuilder b = new StringBuilder();
                int w = rng.nextInt(words.length), n = 4 + rng.nextInt(6);
                for (int k = 0; k < n; k++) {
                    b.append(' ').append(words[w]);
                    w = rng.nextDouble() < 0.8 ? (w + 1) % words.length : rng.nextInt(words.length);
                }
                lines.add(b.toString());
            }
            Files.write(d.resolve(split + ".txt"), lines);
        }
    }

    static String[] trainArgs(String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", corpus.toString(), "--cell", "gru", "--block", "residual", "--layers", "1",
                "--hidden", "8", "--seq", "8", "--batch", "4", "--epochs", "2", "--lr", "0.01", "--schedule", "const", "--threads", "1",
                "--eval-every", "4"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void trainOnce() throws IOException {
        corpus = dir.resolve("corpus");
        writeCorpus(corpus);
        run = dir.resolve("run");
        Outcome o = cli(trainArgs("--max-steps", "10", "--out", run.toString()));
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("done: best valid ppl"), o.out());
    }

    @Test
    void trainWritesCheckpointsMetricsAndPlot() throws IOException {
        for (String f : List.of(Trainer.BEST, Trainer.LAST, Metrics.CSV, Metrics.JSONL, Trainer.PLOT)) assertTrue(Files.isRegularFile(run.resolve(f)), f);
        Checkpoint c = Checkpoint.load(run.resolve(Trainer.LAST));
        assertEquals(10, c.state().step());
        assertEquals(8, c.model().hidden());
        assertTrue(c.provenance().contains("\"command_line\":\"dsf4j train --data ") && c.provenance().contains("--max-steps 10"), c.provenance());
        assertTrue(c.provenance().contains("sha256"), "data provenance: " + c.provenance());
    }

    @Test
    void evalPrintsLossAndPerplexity() {
        Outcome o = cli("eval", "--checkpoint", run.resolve(Trainer.BEST).toString(), "--split", "test");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().matches("(?s).* test: loss \\d+\\.\\d{4}  ppl \\d+\\.\\d{2}  \\(\\d+ tokens, step \\d+\\)\\s*"), o.out());
    }

    @Test
    void gradsOfATrainedCheckpointUseItsWeightsAndData() {
        Path out = dir.resolve("trained-grads.safetensors");
        Outcome o = cli("grads", "--checkpoint", run.resolve(Trainer.BEST).toString(), "--batch", "2", "--out", out.toString());
        assertEquals(0, o.status(), o.err());
        dsf4j.io.GradsFile f = dsf4j.io.GradsFile.read(out);
        Checkpoint c = Checkpoint.load(run.resolve(Trainer.BEST));
        assertEquals(c.model(), f.config());
        assertEquals(c.train().seq(), f.batch().steps());
        assertEquals(2, f.batch().batch());
        for (var t : c.params()) assertEquals(t.data()[0], f.params().get(t.name())[0], 0, t.name());
        assertTrue(o.out().contains("agreement with bptt (cosine, norm ratio):") && o.out().contains("layers.0"), o.out());

        Outcome bad = cli("grads", "--checkpoint", run.resolve(Trainer.BEST).toString(), "--hidden", "4", "--out", out.toString());
        assertEquals(2, bad.status());
        assertEquals("dsf4j: --hidden cannot be combined with --checkpoint, which gives the model, weights and data: drop one of them", bad.err().trim());
    }

    @Test
    void generateIsDeterministicPerSeed() {
        String ckpt = run.resolve(Trainer.BEST).toString();
        Outcome a = cli("generate", "--checkpoint", ckpt, "--prompt", "the cat", "--tokens", "12", "--seed", "5");
        Outcome b = cli("generate", "--checkpoint", ckpt, "--prompt", "the cat", "--tokens", "12", "--seed", "5");
        assertEquals(0, a.status(), a.err());
        assertEquals(a.out(), b.out());
        assertTrue(a.out().startsWith("the cat "), a.out());
        assertEquals(2 + 12, a.out().trim().split(" +").length, a.out());
    }

    /** Without --prompt, the text starts where a PTB-style sample does, at <bos> (not printed): the same tokens as from <bos> itself. */
    @Test
    void generateWithoutAPromptStartsASentence() {
        String ckpt = run.resolve(Trainer.BEST).toString();
        Outcome a = cli("generate", "--checkpoint", ckpt, "--tokens", "12", "--seed", "5");
        assertEquals(0, a.status(), a.err());
        assertEquals(a.out(), cli("generate", "--checkpoint", ckpt, "--tokens", "12", "--seed", "5").out());
        String[] words = a.out().trim().split(" +");
        assertEquals(12, words.length, a.out());

        Checkpoint c = Checkpoint.load(run.resolve(Trainer.BEST));
        dsf4j.data.Dataset data = dsf4j.train.TrainData.open(c.train(), true);
        try (dsf4j.engine.Engine e = dsf4j.engine.Engines.create(c.train().engine(), c.model(), c.train().dsfSolver(), 1)) {
            int[] fromBos = new dsf4j.train.Generator(e, c.params(), c.model().vocab(), c.model().padId())
                    .generate(new int[] {dsf4j.data.Vocabulary.BOS_ID}, 12, new dsf4j.train.Generator.Sampling(1.0, 0, 1.0, 5));
            assertEquals(data.tokenizer().decode(fromBos), a.out().strip());
        }
    }

    /** Scoring the run's own corpus through --data gives exactly the run's eval: the checkpoint's vocabulary, mode and T. */
    @Test
    void evalOnAnotherCorpusUsesTheCheckpointsVocabulary() throws IOException {
        String ckpt = run.resolve(Trainer.BEST).toString();
        Outcome own = cli("eval", "--checkpoint", ckpt, "--split", "test");
        Outcome same = cli("eval", "--checkpoint", ckpt, "--split", "test", "--data", corpus.toString());
        assertEquals(0, same.status(), same.err());
        assertEquals(own.out().replace(ckpt + " test:", ckpt + " on " + corpus + " test:"), same.out());
        assertEquals("", same.err(), "no unknown word, no note");

        // the same test split with two words the model never saw, and a training split of other words
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("train.txt"), " quokka yak zebra\n");
        Files.writeString(other.resolve("valid.txt"), " quokka\n");
        List<String> test = Files.readAllLines(corpus.resolve("test.txt"));
        test.set(0, test.get(0).replaceFirst(" \\S+ \\S+", " quokka yak"));
        Files.write(other.resolve("test.txt"), test);
        Outcome o = cli("eval", "--checkpoint", ckpt, "--split", "test", "--data", other.toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().matches("(?s).* on " + java.util.regex.Pattern.quote(other.toString()) + " test: loss \\d+\\.\\d{4}  ppl \\d+\\.\\d{2}  \\(\\d+ tokens, step \\d+\\)\\s*"), o.out());
        assertEquals(tokens(own.out()), tokens(o.out()), "the same words, two of them as <unk>");
        assertTrue(o.err().matches("dsf4j: \\d\\.\\d% of the words of " + java.util.regex.Pattern.quote(other + " test are outside the checkpoint's vocabulary of 16 words (from "
                + corpus + "); they are scored as <unk>") + "\\s*"), o.err());

        Outcome refused = cli("eval", "--checkpoint", ckpt, "--split", "valid", "--data", other.toString());
        assertEquals(2, refused.status());
        assertEquals("dsf4j: 100.0% of the words of " + other + " valid are outside the checkpoint's vocabulary of 16 words (from " + corpus
                + "): its tokenizer does not apply to this text (tokenized differently, or another language); evaluate on text tokenized like " + corpus
                + ", or train on this corpus", refused.err().strip());
    }

    private static String tokens(String evalLine) {
        return evalLine.replaceAll("(?s).*\\((\\d+) tokens.*", "$1");
    }

    @Test
    void plotDrawsSeveralRuns() throws IOException {
        Path png = dir.resolve("both.png");
        Outcome o = cli("plot", run.toString(), run.toString(), "--out", png.toString());
        assertEquals(0, o.status(), o.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1600, img.getWidth());
        assertEquals(560, img.getHeight());
    }

    @Test
    void resumeContinuesTheRunAndChecksTheFlags() throws IOException {
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        for (String f : List.of(Trainer.BEST, Trainer.LAST, Metrics.CSV)) Files.copy(run.resolve(f), copy.resolve(f));
        Outcome bad = cli("train", "--resume", copy.toString(), "--hidden", "16");
        assertEquals(2, bad.status());
        assertEquals("dsf4j: --hidden 16 does not match the checkpoint's 8: drop the flag to continue that run, or start a new run with another --out", bad.err().trim());
        Outcome ok = cli("train", "--resume", copy.toString(), "--max-steps", "14");
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().startsWith("resuming at step 10 of " + copy), ok.out());
        assertEquals(14, Checkpoint.load(copy.resolve(Trainer.LAST)).state().step());
    }

    @Test
    void badInputIsOneLineAndExitStatus2() {
        Outcome o = cli("train", "--preset", "nope");
        assertEquals(2, o.status());
        assertTrue(o.err().startsWith("dsf4j: unknown preset 'nope': use one of ptb-gru-1l256, "), o.err());
        assertEquals(1, o.err().trim().lines().count());

        o = cli(trainArgs("--out", run.toString()));
        assertEquals(2, o.status());
        assertEquals("dsf4j: --out " + run + " already holds a run: continue it with --resume " + run + " or choose another --out", o.err().trim());

        o = cli(trainArgs("--engine", "tpu", "--out", dir.resolve("x").toString()));
        assertEquals("dsf4j: unknown engine 'tpu': use reference, fast or cuda", o.err().trim());
        o = cli(trainArgs("--clip", "-1"));
        assertEquals("dsf4j: --clip must be ≥ 0 (0 = no clipping; got -1.0)", o.err().trim());
        o = cli("train", "--data", corpus.toString(), "--schedule", "cosine:2");
        assertTrue(o.err().startsWith("dsf4j: malformed --schedule 'cosine:2'"), o.err());
        o = cli("train", "--resume", dir.resolve("none").toString());
        assertEquals(2, o.status());
        assertTrue(o.err().trim().endsWith("none: no such file: check the path") || o.err().contains("no such file"), o.err());
        o = cli("eval", "--checkpoint", run.resolve(Metrics.CSV).toString());
        assertEquals(2, o.status());
        assertEquals(1, o.err().trim().lines().count(), o.err());
    }
}
