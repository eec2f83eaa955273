package dsf4j.data;

import dsf4j.LocalHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Downloading a corpus from the manifest's sources, against an HTTP server on 127.0.0.1: a good server, one that
 * stops mid-file, one that stalls, one that serves wrong bytes, archive members. Whatever happens, nothing
 * unverified is left where {@link CorpusLocator} would read it.
 */
class CorpusFetcherTest {

    @TempDir
    Path root;
    LocalHttpServer server;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    static final Map<Split, String> TEXT = Map.of(Split.TRAIN, TestCorpora.TRAIN, Split.VALID, TestCorpora.VALID, Split.TEST, TestCorpora.TEST);

    @BeforeEach
    void startServer() throws IOException {
        server = LocalHttpServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    static byte[] bytes(Split s) {
        return TEXT.get(s).getBytes(StandardCharsets.UTF_8);
    }

    static String file(Split s) {
        return "tiny." + s.id() + ".txt";
    }

    /** A manifest for corpus "tiny" (sha256 of {@link TestCorpora}'s texts), each split's sources from {@code sources}. */
    static Manifest manifest(java.util.function.Function<Split, String> sources) {
        List<String> lines = new ArrayList<>(List.of("dataset\tsplit\tfile\tbytes\tsha256_text\tsha256_gz\tsha1_text\tsources"));
        for (Split s : Split.values()) {
            lines.add("tiny\t" + s.id() + "\t" + file(s) + "\t" + bytes(s).length + "\t" + CorpusText.hex("SHA-256", bytes(s)) + "\t-\t-\t" + sources.apply(s));
        }
        return Manifest.parse(lines);
    }

    CorpusFetcher fetcher(Duration readTimeout) {
        return new CorpusFetcher(null, new PrintStream(log, true, StandardCharsets.UTF_8), false, readTimeout);
    }

    CorpusFetcher fetcher() {
        return fetcher(Duration.ofSeconds(20));
    }

    String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    /** Every file in {@code dir}, hidden ones included. */
    static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aMissingCorpusIsDownloadedVerifiedAndReadAndTheNextRunFindsIt() throws IOException {
        for (Split s : Split.values()) server.serve("/good/" + file(s), bytes(s));
        Manifest m = manifest(s -> server.uri("/good/" + file(s)).toString());
        Path cache = root.resolve("cache");
        CorpusLocator locator = new CorpusLocator(List.of(root.resolve("shared"), cache), m, cache, fetcher());

        Corpus c = locator.open("tiny");
        assertEquals(TestCorpora.TRAIN, c.text(Split.TRAIN).text());
        assertEquals(cache.resolve("tiny").resolve(file(Split.TRAIN)), c.text(Split.TRAIN).path());
        assertEquals(List.of(file(Split.TEST), file(Split.TRAIN), file(Split.VALID)), files(cache.resolve("tiny")), "the three splits and nothing else");
        assertTrue(log().contains("dsf4j: corpus tiny downloaded and verified: " + cache.resolve("tiny")), log());
        assertTrue(log().contains("tiny train: tiny.train.txt sha256 verified"), log());

        int served = server.requests();
        assertEquals(3, served);
        assertEquals(TestCorpora.TEST, locator.open("tiny").text(Split.TEST).text());
        assertEquals(served, server.requests(), "the second run reads the cache without a request");
    }

    @Test
    void aServerThatStopsMidFileIsNotTrustedAndTheNextSourceIsTried() throws IOException {
        for (Split s : Split.values()) {
            server.cut("/cut/" + file(s), bytes(s), bytes(s).length / 2);
            server.serve("/good/" + file(s), bytes(s));
        }
        Path dest = root.resolve("tiny");
        fetcher().fetch(manifest(s -> server.uri("/cut/" + file(s)) + " " + server.uri("/good/" + file(s))), "tiny", dest);
        for (Split s : Split.values()) assertEquals(TEXT.get(s), Files.readString(dest.resolve(file(s))));
        assertTrue(log().contains("the connection ended after") && log().contains("trying the next source"), log());
        assertEquals(List.of(file(Split.TEST), file(Split.TRAIN), file(Split.VALID)), files(dest));
    }

    @Test
    void aServerThatStopsMidFileWithNoOtherSourceFailsAndLeavesNothing() throws IOException {
        for (Split s : Split.values()) server.cut("/cut/" + file(s), bytes(s), 7);
        Path cache = root.resolve("cache");
        CorpusLocator locator = new CorpusLocator(List.of(cache), manifest(s -> server.uri("/cut/" + file(s)).toString()), cache, fetcher());
        FetchFailed e = assertThrows(FetchFailed.class, () -> locator.open("tiny"));
        assertTrue(e.getMessage().startsWith("could not download tiny valid from any source (" + server.uri("/cut/tiny.valid.txt")
                + ": the connection ended after 7 of " + bytes(Split.VALID).length + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("; nothing unverified was kept in " + cache.resolve("tiny") + ": check the network"), e.getMessage());
        assertEquals(List.of(), files(cache.resolve("tiny")), "no partial file, no temporary file");
    }

    @Test
    void wrongBytesAreRejectedAndNeverReadByTheNextRun() throws IOException {
        for (Split s : Split.values()) {
            byte[] wrong = bytes(s).clone();
            wrong[2] ^= 1;
            server.serve("/wrong/" + file(s), wrong);
        }
        Path cache = root.resolve("cache");
        Manifest m = manifest(s -> server.uri("/wrong/" + file(s)).toString());
        FetchFailed e = assertThrows(FetchFailed.class, () -> new CorpusLocator(List.of(cache), m, cache, fetcher()).open("tiny"));
        assertTrue(e.getMessage().contains(": sha256 ") && e.getMessage().contains(" does not match the recorded " + m.entry("tiny", Split.VALID).orElseThrow().sha256()),
                e.getMessage());
        assertEquals(List.of(), files(cache.resolve("tiny")));
        IllegalArgumentException offline = assertThrows(IllegalArgumentException.class, () -> new CorpusLocator(List.of(cache), m).open("tiny"));
        assertTrue(offline.getMessage().startsWith("corpus tiny not found in any of"), offline.getMessage());
    }

    @Test
    void whenOnlyTheTrainingSplitFailsTheFolderIsNotTakenForTheCorpusAndTheNextFetchCompletesIt() throws IOException {
        for (Split s : Split.values()) server.serve("/good/" + file(s), bytes(s));
        server.serve("/bad/" + file(Split.TRAIN), "not the text".getBytes(StandardCharsets.UTF_8));
        Path cache = root.resolve("cache");
        Manifest half = manifest(s -> server.uri((s == Split.TRAIN ? "/bad/" : "/good/") + file(s)).toString());
        assertThrows(FetchFailed.class, () -> new CorpusLocator(List.of(cache), half, cache, fetcher()).open("tiny"));
        assertEquals(List.of(file(Split.TEST), file(Split.VALID)), files(cache.resolve("tiny")), "valid and test are verified; train is renamed last");
        assertThrows(IllegalArgumentException.class, () -> new CorpusLocator(List.of(cache), half).open("tiny"), "not a corpus yet");

        int before = server.requests();
        Corpus c = new CorpusLocator(List.of(cache), manifest(s -> server.uri("/good/" + file(s)).toString()), cache, fetcher()).open("tiny");
        assertEquals(TestCorpora.TRAIN, c.text(Split.TRAIN).text());
        assertEquals(before + 1, server.requests(), "only the missing split is downloaded");
    }

    @Test
    void aStalledServerTimesOutInsteadOfHanging() throws IOException {
        for (Split s : Split.values()) server.stall("/stall/" + file(s), bytes(s), 5, 10_000);
        Path dest = root.resolve("tiny");
        long t0 = System.nanoTime();
        FetchFailed e = assertThrows(FetchFailed.class, () -> fetcher(Duration.ofMillis(300)).fetch(manifest(s -> server.uri("/stall/" + file(s)).toString()), "tiny", dest));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(9), "gave up before the server woke up");
        assertTrue(e.getMessage().contains("(the server stalled)"), e.getMessage());
        assertEquals(List.of(), files(dest));
    }

    @Test
    void httpErrorsAndRedirectsAreHandled() throws IOException {
        for (Split s : Split.values()) {
            server.status("/gone/" + file(s), 404);
            server.redirect("/moved/" + file(s), "/good/" + file(s));
            server.serve("/good/" + file(s), bytes(s));
        }
        Path dest = root.resolve("tiny");
        fetcher().fetch(manifest(s -> server.uri("/gone/" + file(s)) + " " + server.uri("/moved/" + file(s))), "tiny", dest);
        assertEquals(TestCorpora.VALID, Files.readString(dest.resolve(file(Split.VALID))));
        assertTrue(log().contains(server.uri("/gone/tiny.valid.txt") + ": HTTP 404"), log());
    }

    @Test
    void zipMembersAreExtractedAndTheArchiveIsDownloadedOnce() throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("tiny/"));
            for (Split s : Split.values()) {
                z.putNextEntry(new ZipEntry("tiny/" + file(s)));
                z.write(bytes(s));
            }
        }
        server.serve("/a/tiny-v1.zip", zip.toByteArray());
        Path dest = root.resolve("tiny");
        fetcher().fetch(manifest(s -> server.uri("/a/tiny-v1.zip") + "#tiny/" + file(s)), "tiny", dest);
        for (Split s : Split.values()) assertEquals(TEXT.get(s), Files.readString(dest.resolve(file(s))));
        assertEquals(1, server.requests("/a/tiny-v1.zip"));
        assertEquals(List.of(file(Split.TEST), file(Split.TRAIN), file(Split.VALID)), files(dest), "the archive is gone");
        assertTrue(log().contains("(tiny/tiny.train.txt of tiny-v1.zip)"), log());
    }

    @Test
    void tarGzMembersAreExtractedWhateverTarWroteThem() throws Exception {
        assumeTrue(new ProcessBuilder("tar", "--version").start().waitFor() == 0, "no tar on this machine");
        Path src = Files.createDirectories(root.resolve("src"));
        String deep = "simple-examples/" + "d".repeat(60) + "/" + "e".repeat(60) + "/data";   // longer than a tar header's 100-byte name
        for (Split s : Split.values()) Files.write(Files.createDirectories(src.resolve(deep)).resolve(file(s)), bytes(s));
        for (String format : List.of("gnu", "posix", "ustar")) {
            Path tgz = root.resolve(format + ".tgz");
            Process tar = new ProcessBuilder("tar", "--format=" + format, "-czf", tgz.toString(), "-C", src.toString(), "./simple-examples")
                    .redirectErrorStream(true).start();
            String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, tar.waitFor(), out);
            server.serve("/" + format + "/simple-examples.tgz", Files.readAllBytes(tgz));
            Path dest = root.resolve("out-" + format);
            fetcher().fetch(manifest(s -> server.uri("/" + format + "/simple-examples.tgz") + "#./" + deep + "/" + file(s)), "tiny", dest);
            for (Split s : Split.values()) assertEquals(TEXT.get(s), Files.readString(dest.resolve(file(s))), format);
            assertEquals(1, server.requests("/" + format + "/simple-examples.tgz"), format);
        }
    }

    @Test
    void anArchiveWithoutTheMemberIsOneMoreFailedSource() throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("other.txt"));
            z.write(1);
        }
        server.serve("/a/x.zip", zip.toByteArray());
        Path dest = root.resolve("tiny");
        FetchFailed e = assertThrows(FetchFailed.class, () -> fetcher().fetch(manifest(s -> server.uri("/a/x.zip") + "#tiny/" + file(s)), "tiny", dest));
        assertTrue(e.getMessage().contains("x.zip has no member tiny/tiny.valid.txt"), e.getMessage());
        assertEquals(List.of(), files(dest));
    }

    @Test
    void leftoversOfAKilledFetchAreRemovedAndVerifiedSplitsKept() throws IOException {
        for (Split s : Split.values()) server.serve("/good/" + file(s), bytes(s));
        Path dest = Files.createDirectories(root.resolve("tiny"));
        Files.write(dest.resolve(file(Split.VALID)), bytes(Split.VALID));                  // verified before the kill
        Files.write(dest.resolve(file(Split.TEST)), "damaged".getBytes(StandardCharsets.UTF_8));   // replaced
        Files.writeString(dest.resolve(".tiny.train.txt.1f2e3d.tmp"), "half");
        Files.writeString(dest.resolve(".simple-examples.tgz.123456.part"), "half");
        fetcher().fetch(manifest(s -> server.uri("/good/" + file(s)).toString()), "tiny", dest);
        assertEquals(List.of(file(Split.TEST), file(Split.TRAIN), file(Split.VALID)), files(dest));
        assertEquals(0, server.requests("/good/" + file(Split.VALID)));
        assertEquals(TestCorpora.TEST, Files.readString(dest.resolve(file(Split.TEST))));
    }

    @Test
    void theMirrorReplacesSchemeAndHostAndIsTheOnlyAddressContacted() throws IOException {
        for (Split s : Split.values()) server.serve("/mirror/example.invalid/corpora/" + file(s), bytes(s));
        CorpusFetcher viaMirror = new CorpusFetcher(server.uri("/mirror/"), new PrintStream(log, true, StandardCharsets.UTF_8), false, Duration.ofSeconds(20));
        assertEquals(server.uri("/mirror/example.invalid/a/b.zip?x=1"), viaMirror.location(URI.create("https://example.invalid/a/b.zip?x=1")));
        Path dest = root.resolve("tiny");
        viaMirror.fetch(manifest(s -> "https://example.invalid/corpora/" + file(s)), "tiny", dest);
        assertEquals(TestCorpora.TRAIN, Files.readString(dest.resolve(file(Split.TRAIN))));
    }

    @Test
    void offlineTheMissingCorpusIsTheClearErrorAndAManifestWithoutSourcesOrDigestsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CorpusLocator(List.of(root), manifest(s -> "-")).open("tiny"));
        assertTrue(e.getMessage().contains("and downloads are off (--offline or DSF4J_OFFLINE): download it once without them (./run.sh fetch tiny)"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> fetcher().fetch(manifest(s -> "-"), "tiny", root.resolve("t")));
        assertEquals("tiny valid: the manifest lists no source to download it from: put tiny.valid.txt in data/cache/tiny/", none.getMessage());
    }
}
