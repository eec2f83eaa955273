package dsf4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CorpusLocatorTest {

    @TempDir
    Path root;

    /** A manifest for a corpus "tiny" whose train split must be exactly {@code TestCorpora.TRAIN}. */
    private static Manifest tinyManifest(String trainSha256) {
        return Manifest.parse(List.of(
                "# test manifest",
                "dataset\tsplit\tfile\tbytes\tsha256_text\tsha256_gz\tsha1_text\tsources",
                "tiny\ttrain\ttiny.train.txt\t-\t" + trainSha256 + "\t-\t-\t-",
                "tiny\tvalid\ttiny.valid.txt\t-\t-\t-\t-\t-",
                "tiny\ttest\ttiny.test.txt\t-\t-\t-\t-\t-"));
    }

    private void writeTiny(Path dir, String train) throws Exception {
        Files.createDirectories(dir);
        TestCorpora.writeGz(dir.resolve("tiny.train.txt.gz"), train.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("tiny.valid.txt"), TestCorpora.VALID);
        Files.writeString(dir.resolve("tiny.test.txt"), TestCorpora.TEST);
    }

    @Test
    void classPathManifestHoldsTheProvenanceDigests() {
        Manifest m = Manifest.load();
        assertEquals(List.of("ptb", "wikitext-2", "wikitext-103"), List.copyOf(m.datasets()));
        assertEquals("fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf", m.entry("ptb", Split.TRAIN).orElseThrow().sha256());
        assertEquals("wiki.valid.tokens", m.entry("wikitext-2", Split.VALID).orElseThrow().file());
        assertNull(m.entry("wikitext-103", Split.TEST).orElseThrow().sha256());
        assertEquals("8a5befc548865cec54ed4273cf87dbbad60d1e47", m.entry("wikitext-103", Split.TEST).orElseThrow().sha1());
    }

    @Test
    void knownNameIsFoundInTheFirstRootThatHasItAndVerified() throws Exception {
        String sha = CorpusText.hex("SHA-256", TestCorpora.TRAIN.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        writeTiny(root.resolve("b/tiny"), TestCorpora.TRAIN);
        var locator = new CorpusLocator(List.of(root.resolve("a"), root.resolve("b")), tinyManifest(sha));
        Corpus c = locator.open("tiny");
        assertEquals("tiny", c.name());
        assertEquals(TestCorpora.TRAIN, c.text(Split.TRAIN).text());
        assertEquals(root.resolve("b/tiny/tiny.train.txt.gz"), c.text(Split.TRAIN).path());
        assertTrue(c.provenance().startsWith("tiny train=sha256:" + sha + " valid=sha256:"), c.provenance());
    }

    @Test
    void checksumMismatchIsAClearError() throws Exception {
        String sha = CorpusText.hex("SHA-256", TestCorpora.TRAIN.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        writeTiny(root.resolve("tiny"), TestCorpora.TRAIN.replace("cat", "cow"));
        var locator = new CorpusLocator(List.of(root), tinyManifest(sha));
        var e = assertThrows(IllegalArgumentException.class, () -> locator.open("tiny"));
        assertTrue(e.getMessage().contains("does not match the recorded " + sha + " for tiny train"), e.getMessage());
        assertTrue(e.getMessage().contains("data/fetch.sh tiny"), e.getMessage());
    }

    @Test
    void missingCorpusOfflineNamesTheFoldersAndTheFix() {
        var locator = new CorpusLocator(List.of(root), tinyManifest("00"));
        var e = assertThrows(IllegalArgumentException.class, () -> locator.open("tiny"));
        assertTrue(e.getMessage().contains(root.resolve("tiny").toString()) && e.getMessage().contains("downloads are off")
                && e.getMessage().contains("./run.sh fetch tiny"), e.getMessage());
    }

    @Test
    void folderModeReadsSplitTxtPlainOrGzipWithoutVerification() throws Exception {
        Path dir = TestCorpora.writeFolder(root.resolve("mine"), TestCorpora.TRAIN, TestCorpora.VALID, TestCorpora.TEST);
        Corpus c = new CorpusLocator(List.of(), tinyManifest("00")).open(dir.toString());
        assertEquals(TestCorpora.TEST, c.text(Split.TEST).text());   // read from test.txt.gz
        assertEquals(dir.toString(), c.name());
    }

    @Test
    void folderMissingASplitAndUnknownNamesAreClearErrors() throws Exception {
        Path dir = root.resolve("half");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train.txt"), TestCorpora.TRAIN);
        var locator = new CorpusLocator(List.of(), tinyManifest("00"));
        var e = assertThrows(IllegalArgumentException.class, () -> locator.open(dir.toString()));
        assertTrue(e.getMessage().contains("no valid split"), e.getMessage());
        var u = assertThrows(IllegalArgumentException.class, () -> locator.open("ptbx"));
        assertTrue(u.getMessage().startsWith("unknown --data 'ptbx': use tiny or a folder"), u.getMessage());
    }
}
