package dsf4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CorpusTextTest {

    @TempDir
    Path dir;

    @Test
    void plainAndGzipReadTheSameTextAndDigests() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "abc");
        TestCorpora.writeGz(dir.resolve("a.txt.gz"), "abc".getBytes(StandardCharsets.UTF_8));
        CorpusText plain = CorpusText.read(dir.resolve("a.txt"));
        CorpusText gz = CorpusText.read(dir.resolve("a.txt.gz"));
        assertEquals("abc", plain.text());
        assertEquals("abc", gz.text());
        // FIPS 180-2 test vectors for "abc"
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", plain.sha256());
        assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", plain.sha1());
        assertEquals(plain.sha256(), gz.sha256());
    }

    @Test
    void linesDropOnlyTheFinalNewline() throws Exception {
        Files.writeString(dir.resolve("l.txt"), " a b \n \n c \n");
        assertArrayEquals(new String[] {" a b ", " ", " c "}, CorpusText.read(dir.resolve("l.txt")).lines());
        Files.writeString(dir.resolve("m.txt"), "x\ny");
        assertArrayEquals(new String[] {"x", "y"}, CorpusText.read(dir.resolve("m.txt")).lines());
    }

    @Test
    void nonUtf8IsAClearErrorWithTheOffset() throws Exception {
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'o', 'k', ' ', (byte) 0xE9, 't', 'e'});   // Latin-1 'é'
        var e = assertThrows(IllegalArgumentException.class, () -> CorpusText.read(bad));
        assertTrue(e.getMessage().contains("not valid UTF-8 at byte offset 3"), e.getMessage());
        assertTrue(e.getMessage().contains("convert the file to UTF-8"), e.getMessage());
    }

    @Test
    void emptyFilesPlainOrGzipAreClearErrors() throws Exception {
        Files.writeString(dir.resolve("e.txt"), "");
        TestCorpora.writeGz(dir.resolve("e.txt.gz"), new byte[0]);
        for (String name : new String[] {"e.txt", "e.txt.gz"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> CorpusText.read(dir.resolve(name)));
            assertTrue(e.getMessage().endsWith(name + ": the file is empty: give a corpus file with text in it"), e.getMessage());
        }
    }

    @Test
    void missingFileIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> CorpusText.read(dir.resolve("nope.txt")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }
}
