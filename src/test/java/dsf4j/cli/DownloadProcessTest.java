package dsf4j.cli;

import dsf4j.LocalHttpServer;
import dsf4j.data.Manifest;
import dsf4j.data.Split;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new user's first run, in a child JVM whose working directory is a fresh folder with nothing beside it: the
 * corpus is downloaded (from a server on 127.0.0.1, through {@code DSF4J_MANIFEST} or {@code DSF4J_DATA_MIRROR}),
 * verified, saved in {@code data/cache}, and the run trains and reports its perplexity; {@code --offline} and
 * {@code DSF4J_OFFLINE=1} give the clear error; wrong bytes stop the run and leave nothing behind.
 */
class DownloadProcessTest {

    @TempDir
    static Path dir;
    static LocalHttpServer server;
    static Path manifest;
    static final String[] SMALL = {"--layers", "1", "--hidden", "4", "--seq", "8", "--batch", "4", "--epochs", "1", "--max-steps", "2",
            "--schedule", "const", "--threads", "1", "--engine", "reference"};

    /** A corpus "tiny" served at /tiny/FILE, and a manifest naming it with its digests. */
    @BeforeAll
    static void serveTinyCorpus() throws Exception {
        server = LocalHttpServer.start();
        Path corpus = dir.resolve("corpus");
        TrainCliTest.writeCorpus(corpus);
        List<String> rows = new ArrayList<>(List.of("dataset\tsplit\tfile\tbytes\tsha256_text\tsha256_gz\tsha1_text\tsources"));
        for (Split s : Split.values()) {
            byte[] text = Files.readAllBytes(corpus.resolve(s.id() + ".txt"));
            server.serve("/tiny/tiny." + s.id() + ".txt", text);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
            rows.add(String.join("\t", "tiny", s.id(), "tiny." + s.id() + ".txt", Integer.toString(text.length), sha, "-", "-",
                    server.uri("/tiny/tiny." + s.id() + ".txt").toString()));
        }
        manifest = Files.write(dir.resolve("manifest.tsv"), rows);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** An empty folder standing for a fresh clone: nothing beside it (no ../shared), no data/cache. */
    static Path freshClone(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name).resolve("clone"));
    }

    static String[] args(String... first) {
        List<String> a = new ArrayList<>(List.of(first));
        a.addAll(List.of(SMALL));
        return a.toArray(String[]::new);
    }

    static List<String> files(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFreshMachineDownloadsTheCorpusTrainsAndReportsPerplexityAndTheNextRunNeedsNoNetwork() throws Exception {
        Path clone = freshClone("first-run");
        var c = ProcessFaultsTest.Child.start(clone, Map.of("DSF4J_MANIFEST", manifest.toString()), List.of(), args("train", "--data", "tiny", "--out", "runs/a"));
        assertEquals(0, c.exit(), c.stderr());
        Path cache = clone.toAbsolutePath().resolve("data/cache/tiny");
        assertTrue(c.stderr().contains("dsf4j: corpus tiny is not on this machine: downloading it into " + cache), c.stderr());
        assertTrue(c.stderr().contains("dsf4j: corpus tiny downloaded and verified: " + cache), c.stderr());
        assertTrue(c.stdout().contains("done: best valid ppl"), c.stdout());
        assertEquals(List.of("tiny.test.txt", "tiny.train.txt", "tiny.valid.txt"), files(cache));

        int requests = server.requests();
        var again = ProcessFaultsTest.Child.start(clone, Map.of("DSF4J_MANIFEST", manifest.toString()), List.of(),
                "eval", "--checkpoint", "runs/a/best.safetensors", "--offline");
        assertEquals(0, again.exit(), again.stderr());
        assertTrue(again.stdout().contains("valid: loss "), again.stdout());
        assertEquals(requests, server.requests(), "the cached corpus is used");
    }

    @Test
    void fetchDownloadsAheadAndPrintsTheFolder() throws Exception {
        Path clone = freshClone("fetch");
        Map<String, String> env = Map.of("DSF4J_MANIFEST", manifest.toString());
        var c = ProcessFaultsTest.Child.start(clone, env, List.of(), "fetch", "tiny");
        assertEquals(0, c.exit(), c.stderr());
        Path cache = clone.toAbsolutePath().resolve("data/cache/tiny");
        assertEquals(cache.toString(), c.stdout().strip());
        int requests = server.requests();
        var verify = ProcessFaultsTest.Child.start(clone, env, List.of(), "fetch", "tiny", "--offline");
        assertEquals(0, verify.exit(), verify.stderr());
        assertEquals(cache.toString(), verify.stdout().strip());
        assertEquals(requests, server.requests());
        var unknown = ProcessFaultsTest.Child.start(clone, env, List.of(), "fetch", "ptb");
        assertEquals(2, unknown.exit());
        assertEquals("dsf4j: unknown corpus 'ptb': use one of tiny", unknown.stderr().strip());
    }

    @Test
    void offlineFlagAndEnvironmentTurnTheDownloadIntoTheClearError() throws Exception {
        int requests = server.requests();
        for (var env : List.of(Map.of("DSF4J_MANIFEST", manifest.toString()), Map.of("DSF4J_MANIFEST", manifest.toString(), "DSF4J_OFFLINE", "1"))) {
            Path clone = freshClone("offline-" + env.size());
            String[] a = env.size() == 1 ? args("train", "--data", "tiny", "--offline", "--out", "runs/a") : args("train", "--data", "tiny", "--out", "runs/a");
            var c = ProcessFaultsTest.Child.start(clone, env, List.of(), a);
            assertEquals(2, c.exit(), c.stderr());
            String err = c.stderr().strip();
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("dsf4j: corpus tiny not found in any of ") && err.contains("and downloads are off (--offline or DSF4J_OFFLINE)"), err);
            assertFalse(Files.exists(clone.resolve("data/cache/tiny")));
            assertFalse(Files.exists(clone.resolve("runs/a")));
        }
        assertEquals(requests, server.requests(), "no download was tried");
    }

    /** The shipped manifest's PTB sources, fetched through a mirror that serves wrong bytes (or nothing): no corpus, no run, nothing kept. */
    @Test
    void wrongBytesFromTheMirrorOfTheRealSourcesStopTheRunAndNothingIsKept() throws Exception {
        Manifest.Entry valid = Manifest.load().entry("ptb", Split.VALID).orElseThrow();
        URI first = valid.sources().get(0).url();
        server.serve("/m/" + first.getHost() + first.getPath(), "these are not the words of the penn treebank\n".getBytes(StandardCharsets.UTF_8));
        Path clone = freshClone("wrong-bytes");
        var c = ProcessFaultsTest.Child.start(clone, Map.of("DSF4J_DATA_MIRROR", server.uri("/m/").toString()), List.of(),
                args("train", "--data", "ptb", "--out", "runs/a"));
        assertEquals(1, c.exit(), c.stderr());
        String last = c.stderr().strip().lines().reduce((x, y) -> y).orElseThrow();
        assertTrue(last.startsWith("dsf4j: could not download ptb valid from any source (" + server.uri("/m/" + first.getHost() + first.getPath())
                + ": sha256 "), last);
        assertTrue(last.contains("does not match the recorded " + valid.sha256()) && last.contains(": HTTP 404"), last);
        assertEquals(1, server.requests("/m/" + first.getHost() + first.getPath()));
        assertEquals(List.of(), files(clone.resolve("data/cache/ptb")), "nothing unverified, no temporary file");
        assertFalse(Files.exists(clone.resolve("runs/a")));
    }
}
