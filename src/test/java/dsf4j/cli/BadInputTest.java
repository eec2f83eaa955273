package dsf4j.cli;

import dsf4j.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input the issue lists gets one line on stderr that names the problem (and the
 * fix), exit status 2, no stack trace, and nothing written: flags, data, checkpoints, resources.
 */
class BadInputTest {

    @TempDir
    static Path dir;
    static Path corpus, run, ckpt;

    @BeforeAll
    static void trainOnce() throws IOException {
        corpus = dir.resolve("corpus");
        TrainCliTest.writeCorpus(corpus);
        run = dir.resolve("run");
        TrainCliTest.Outcome o = TrainCliTest.cli(train("--max-steps", "2", "--out", run.toString()));
        assertEquals(0, o.status(), o.err());
        ckpt = run.resolve(Trainer.LAST);
    }

    /** {@code train} with tiny defaults; {@code flagValuePairs} add flags or replace the defaults. */
    static String[] train(String... flagValuePairs) {
        Map<String, String> flags = new LinkedHashMap<>();
        List<String> base = List.of("--data", corpus.toString(), "--layers", "1", "--hidden", "4", "--seq", "8", "--batch", "4",
                "--epochs", "1", "--schedule", "const", "--threads", "1", "--engine", "reference");
        for (int i = 0; i < base.size(); i += 2) flags.put(base.get(i), base.get(i + 1));
        for (int i = 0; i < flagValuePairs.length; i += 2) flags.put(flagValuePairs[i], flagValuePairs[i + 1]);
        List<String> a = new ArrayList<>(List.of("train"));
        flags.forEach((k, v) -> a.addAll(List.of(k, v)));
        return a.toArray(String[]::new);
    }

    /** Runs the command and checks the one-line error; returns it. */
    static String refused(int status, String expected, String... args) {
        TrainCliTest.Outcome o = TrainCliTest.cli(args);
        String err = o.err().strip();
        assertEquals(status, o.status(), String.join(" ", args) + " → " + err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("dsf4j: ") && err.contains(expected), "'" + expected + "' in: " + err);
        assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace, no exception name: " + err);
        return err;
    }

    @Test
    void badFlags() {
        String out = dir.resolve("never").toString();
        refused(2, "Unknown options: '--hiden', '4'", train("--hiden", "4"));
        refused(2, "unknown preset 'ptb-gru-9l9'", "train", "--preset", "ptb-gru-9l9");
        refused(2, "--hidden must be at least 1 (got 0)", train("--hidden", "0", "--out", out));
        refused(2, "--layers must be at least 1 (got -2)", train("--layers", "-2", "--out", out));
        refused(2, "--seq must be at least 1 (got 0)", train("--seq", "0", "--out", out));
        refused(2, "--batch must be at least 1 (got 0)", train("--batch", "0", "--out", out));
        refused(2, "'many' is not a long", train("--max-steps", "many"));
        refused(2, "--batch 1000 is more than the 64 sequences of the training split of " + corpus + ": lower --batch to at most 64",
                train("--batch", "1000", "--out", out));
        refused(2, "λ initialiser linspace:0:2 leaves [0, 1]", train("--lambda-init", "linspace:0:2", "--out", out));
        refused(2, "malformed λ initialiser 'linspace:0'", train("--lambda-init", "linspace:0", "--out", out));
        refused(2, "malformed λ initialiser 'const:x'", train("--lambda-init", "const:x", "--out", out));
        refused(2, "unknown cell 'lstmx': use rnn, gru, lstm or mingru", train("--cell", "lstmx", "--out", out));
        refused(2, "unknown block 'conv'", train("--block", "conv", "--out", out));
        refused(2, "unknown method 'tbptt': use bptt, ftbptt or dsf", train("--method", "tbptt", "--out", out));
        refused(2, "unknown engine 'tpu': use reference, fast or cuda", train("--engine", "tpu", "--out", out));
        refused(2, "unknown DSF solver 'magic'", train("--dsf-solver", "magic", "--out", out));
        refused(2, "--dsf-solver fft is not on the cuda engine", train("--engine", "cuda", "--dsf-solver", "fft", "--out", out));
        refused(2, "unknown --on-nan 'ignore': use stop or skip", train("--on-nan", "ignore", "--out", out));
        refused(2, "unknown --batching 'sorted': use random (the authors') or bucket[:N]", train("--batching", "sorted", "--out", out));
        refused(2, "--batching bucket:50 groups sentences by length, and --data-mode stream has none to group",
                train("--batching", "bucket", "--data-mode", "stream", "--out", out));
        refused(2, "--batching bucket:50 does not match the checkpoint's random", "train", "--resume", run.toString(), "--batching", "bucket");
        refused(2, "unknown --on-save-error 'retry': use stop or continue", train("--on-save-error", "retry", "--out", out));
        refused(2, "--preset cannot be combined with --resume", "train", "--resume", run.toString(), "--preset", "ptb-gru-1l256");
        refused(2, "already holds a run: continue it with --resume", train("--out", run.toString()));
        refused(2, "--resume " + corpus + ": the folder holds no last.safetensors", "train", "--resume", corpus.toString());
        refused(2, "--cell lstm does not match the checkpoint's gru", "train", "--resume", run.toString(), "--cell", "lstm");
        refused(2, "--batch must be at least 1 (got 0)", "eval", "--checkpoint", ckpt.toString(), "--batch", "0");
        refused(2, "unknown split 'dev'", "eval", "--checkpoint", ckpt.toString(), "--split", "dev");
        refused(2, "--top-p must be in (0, 1]", "generate", "--checkpoint", ckpt.toString(), "--prompt", "the", "--top-p", "2");
        refused(2, "--tokens must be ≥ 0", "generate", "--checkpoint", ckpt.toString(), "--prompt", "the", "--tokens", "-1");
        assertFalse(Files.exists(Path.of(out)), "a refused run writes nothing");
    }

    @Test
    void badData() throws IOException {
        String out = dir.resolve("never").toString();
        refused(2, "unknown --data '" + dir.resolve("nope") + "'", "train", "--data", dir.resolve("nope").toString(), "--out", out);
        Path noValid = copyCorpus("no-valid");
        Files.delete(noValid.resolve("valid.txt"));
        refused(2, noValid + ": no valid split", train("--data", noValid.toString(), "--out", out));
        Path empty = copyCorpus("empty");
        Files.write(empty.resolve("train.txt"), new byte[0]);
        refused(2, "train.txt: the file is empty", train("--data", empty.toString(), "--out", out));
        Path latin1 = copyCorpus("latin1");
        Files.write(latin1.resolve("test.txt"), "caf\u00e9 au lait\n".getBytes(StandardCharsets.ISO_8859_1));
        refused(2, "test.txt: not valid UTF-8 at byte offset 3: convert the file to UTF-8", train("--data", latin1.toString(), "--out", out));
        Path badGzip = copyCorpus("bad-gzip");
        Files.delete(badGzip.resolve("train.txt"));
        Files.writeString(badGzip.resolve("train.txt.gz"), "this is not gzip");
        refused(2, "train.txt.gz: cannot read (Not in GZIP format)", train("--data", badGzip.toString(), "--out", out));

        // the model's vocabulary no longer covers the data: new words in the training split
        Path grown = copyCorpus("grown");
        Path grownRun = dir.resolve("grown-run");
        assertEquals(0, TrainCliTest.cli(train("--data", grown.toString(), "--max-steps", "1", "--out", grownRun.toString())).status());
        Files.writeString(grown.resolve("train.txt"), Files.readString(grown.resolve("train.txt")) + " zebra yak quokka\n");
        refused(2, "now has a vocabulary of 19 (pad 0) but the checkpoint's model has 16 (pad 0): use the data the model was trained on",
                "eval", "--checkpoint", grownRun.resolve(Trainer.LAST).toString());
        refused(2, "does not match the data's", "train", "--resume", grownRun.toString());
        assertFalse(Files.exists(Path.of(out)));
    }

    @Test
    void badCheckpoints() throws IOException {
        String path = dir.resolve("bad.safetensors").toString();
        refused(2, "no such file: check the path", "eval", "--checkpoint", dir.resolve("missing.safetensors").toString());
        byte[] good = Files.readAllBytes(ckpt);
        Files.write(Path.of(path), Arrays.copyOf(good, good.length - 100));
        refused(2, path + ": ", "eval", "--checkpoint", path);   // truncated
        Files.write(Path.of(path), Arrays.copyOf(good, 5));
        refused(2, "truncated: 5 bytes", "eval", "--checkpoint", path);
        byte[] beyond = good.clone();
        ByteBuffer.wrap(beyond).order(ByteOrder.LITTLE_ENDIAN).putLong(0, good.length);
        Files.write(Path.of(path), beyond);
        refused(2, "goes beyond the file's", "eval", "--checkpoint", path);
        edited(good, path, j -> j.substring(0, j.lastIndexOf('}')));
        refused(2, "malformed JSON header", "eval", "--checkpoint", path);
        edited(good, path, j -> j.replaceFirst("\"F32\"", "\"F12\""));
        refused(2, "has unknown dtype 'F12'", "eval", "--checkpoint", path);
        edited(good, path, j -> j.replace("\"head.bias\"", "\"head.bias2\""));
        refused(2, "tensor head.bias is missing: the file was written for another model or is damaged", "eval", "--checkpoint", path);
        edited(good, path, j -> j.replaceFirst("(\"head\\.bias\":\\{\"dtype\":\"F32\",\"shape\":)\\[(\\d+)\\]", "$1[1,$2]"));
        refused(2, "tensor head.bias is F32 [1, 16] but the config says F32 [16]", "eval", "--checkpoint", path);
        Pattern biasOffsets = Pattern.compile("(\"head\\.bias\":\\{[^}]*\"data_offsets\":\\[)(\\d+),(\\d+)\\]");
        edited(good, path, j -> biasOffsets.matcher(j).replaceFirst(m -> m.group(1) + (Long.parseLong(m.group(2)) - 64) + "," + (Long.parseLong(m.group(3)) - 64) + "]"));
        refused(2, "overlaps tensor", "eval", "--checkpoint", path);
        edited(good, path, j -> j.replaceFirst("(\"head\\.bias\":\\{[^}]*\"data_offsets\":\\[)(\\d+),\\d+\\]", "$1$2,99999999]"));
        refused(2, "lie outside the data section", "eval", "--checkpoint", path);
        byte[] flipped = good.clone();
        flipped[flipped.length - 3] ^= 4;   // a bit of the last tensor's data
        Files.write(Path.of(path), flipped);
        refused(2, "fails its checksum (CRC-32C ", "eval", "--checkpoint", path);
        refused(2, "use the run's best.safetensors or an earlier copy of it", "generate", "--checkpoint", path);
        refused(2, "not a dsf4j checkpoint", "eval", "--checkpoint", write(dir.resolve("plain.safetensors"), "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]).toString());
        assertTrue(Files.readAllBytes(ckpt).length == good.length, "the run's own checkpoint is untouched");
    }

    @Test
    void aRunThatCannotFitIsRefusedBeforeAllocating() {
        String out = dir.resolve("never").toString();
        refused(2, "--hidden 60000 makes a weight matrix of 10800000000 values, more than a Java array holds", train("--hidden", "60000", "--out", out));
        String err = refused(2, "this configuration needs about ", train("--hidden", "20000", "--layers", "3", "--out", out));
        assertTrue(err.matches(".*needs about [0-9.]+ GiB of heap \\(weights .*, gradient .*, Adam .*, engine .*\\) but the JVM has .* free of -Xmx\\w+: "
                + "run with DSF4J_JAVA_OPTS=-Xmx\\d+g \\(if the machine has the memory\\), or lower --batch, --seq, --hidden or --layers"), err);
        assertFalse(Files.exists(Path.of(out)));
    }

    /** An error the code did not foresee is one line too, with the hint to rerun with --debug; OutOfMemoryError as well. */
    @Test
    void unexpectedFailuresAreOneLineAndDebugShowsTheTrace() {
        StringBuilderWriter w = new StringBuilderWriter();
        assertEquals(1, Errors.report(new NullPointerException("x is null"), w.printer(), false));
        assertEquals("dsf4j: internal error: java.lang.NullPointerException: x is null (rerun with --debug for the stack trace); please report it", w.text().strip());

        TrainCliTest.Outcome o = TrainCliTest.cli("generate", "--checkpoint", ckpt.toString(), "--prompt", "the", "--tokens", Integer.toString(Integer.MAX_VALUE));
        assertEquals(1, o.status(), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().startsWith("dsf4j: out of memory (") && o.err().contains("give the JVM more heap (DSF4J_JAVA_OPTS=-Xmx16g)"), o.err());

        for (String[] args : List.of(new String[] {"--debug", "eval", "--checkpoint", "nowhere.safetensors"},
                new String[] {"eval", "--debug", "--checkpoint", "nowhere.safetensors"})) {
            o = TrainCliTest.cli(args);
            assertEquals(2, o.status());
            assertTrue(o.err().contains("java.lang.IllegalArgumentException: nowhere.safetensors: no such file") && o.err().contains("\tat dsf4j."), o.err());
            assertTrue(o.err().strip().endsWith("\ndsf4j: nowhere.safetensors: no such file: check the path"), o.err());
        }
    }

    private static final class StringBuilderWriter {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        PrintWriter printer() {
            return new PrintWriter(bytes, true, StandardCharsets.UTF_8);
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private static Path copyCorpus(String name) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        for (String f : List.of("train.txt", "valid.txt", "test.txt")) Files.copy(corpus.resolve(f), d.resolve(f));
        return d;
    }

    /** The checkpoint {@code good} with its JSON header edited, written to {@code path}. */
    private static void edited(byte[] good, String path, UnaryOperator<String> edit) throws IOException {
        int n = (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String json = new String(good, 8, n, StandardCharsets.UTF_8);
        String changed = edit.apply(json);
        assertFalse(changed.equals(json), "the edit changed the header");
        write(Path.of(path), changed, Arrays.copyOfRange(good, 8 + n, good.length));
    }

    private static Path write(Path path, String json, byte[] data) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(path, b.array());
        return path;
    }
}
