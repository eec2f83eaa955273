package dsf4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class BytePairEncodingTest {

    @TempDir
    Path dir;

    private static final String MIXED = """
             = Tokyo Tower = \s
             Tokyo Tower ( 東京タワー , Tōkyō tawā ) is a communications tower in Minato , Tokyo . It's 332 @.@ 9 m tall .\s
             The tower 's main sources of income are tourism and antenna leasing ; over 150 million people have visited it .\s
             東京タワーは、東京都港区芝公園にある総合電波塔。高さは333メートル。\s
            """;

    private static int id(char c) {
        return c + 1;   // byte b has id b + 1 (id 0 is <pad>)
    }

    @Test
    void mergesFollowPairCountsWithDeterministicTies() {
        // chunks: "ab", " ab" ×2, " cd"; pairs: (a,b) 3, (' ',a) 2, (' ',c) 1, (c,d) 1
        BytePairEncoding bpe = BpeTrainer.train("ab ab ab cd", 1000);
        assertEquals(4, bpe.mergeCount(), "training stops when no pair is left");
        assertEquals(261, bpe.size());
        assertEquals("ab", new String(bpe.bytes(257), StandardCharsets.UTF_8));
        assertEquals(" ab", new String(bpe.bytes(258), StandardCharsets.UTF_8));
        assertEquals(" c", new String(bpe.bytes(259), StandardCharsets.UTF_8), "tie (' ',c) vs (c,d): smaller left id first");
        assertEquals(" cd", new String(bpe.bytes(260), StandardCharsets.UTF_8));
        assertArrayEquals(new int[] {257, 258, 258, 260}, bpe.encode("ab ab ab cd"));
        assertArrayEquals(new int[] {id('b'), id('a'), 258}, bpe.encode("ba ab"));
        assertEquals(259, BpeTrainer.train("ab ab ab cd", 259).size(), "stops at the target V");
    }

    @Test
    void encodeEqualsApplyingEveryMergeInTrainingOrder() {
        BytePairEncoding bpe = BpeTrainer.train(MIXED.repeat(3), 600);
        assertTrue(bpe.mergeCount() > 100, "merges: " + bpe.mergeCount());
        PreTokenizer.forEachChunk(MIXED + " unseen wordsz ", chunk -> {
            byte[] b = chunk.getBytes(StandardCharsets.UTF_8);
            int[] sym = new int[b.length];
            for (int i = 0; i < b.length; i++) sym[i] = (b[i] & 0xFF) + 1;
            int n = sym.length;
            for (int k = 0; k < bpe.mergeCount(); k++) {       // the naive reference: every merge, in order
                int[] lr = bpe.mergeParts(257 + k);
                n = BytePairEncoding.mergeAll(sym, n, lr[0], lr[1], 257 + k);
            }
            assertArrayEquals(java.util.Arrays.copyOf(sym, n), bpe.encodeChunk(chunk), chunk);
        });
    }

    @Test
    void roundTripIsExactOnAnyUtf8Text() {
        BytePairEncoding bpe = BpeTrainer.train(MIXED, 500);
        String[] texts = {
                MIXED,
                "東京タワーは333メートルです。",
                "emoji 👍🏽 and a flag 🇯🇵, tabs\tand\r\nCRLF,  two  spaces, trailing   ",
                "don't I'll we've they're 's 't",
                "", " ", "\n\n", "ü", "Ω≈ç√∫ ¡™£¢∞§¶•ªº –≠ ‘“”’ «» … \u00A0nbsp \u3000ideographic space"};
        for (String s : texts) assertEquals(s, bpe.decode(bpe.encode(s)), s);
        Random rng = new Random(11);
        for (int k = 0; k < 200; k++) {
            StringBuilder sb = new StringBuilder();
            int n = rng.nextInt(40);
            for (int i = 0; i < n; i++) {
                int cp;
                do { cp = rng.nextInt(4) == 0 ? rng.nextInt(0x110000) : rng.nextInt(0x3100); }
                while (cp >= 0xD800 && cp <= 0xDFFF);          // surrogates are not text
                sb.appendCodePoint(cp);
            }
            String s = sb.toString();
            int[] ids = bpe.encode(s);
            for (int id : ids) assertTrue(id > 0 && id < bpe.size());
            assertEquals(s, bpe.decode(ids));
        }
    }

    @Test
    void mergesCompressTheTrainingText() {
        BytePairEncoding bpe = BpeTrainer.train(MIXED, 400);
        int bytes = MIXED.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(bpe.encode(MIXED).length < bytes / 2, bpe.encode(MIXED).length + " ids for " + bytes + " bytes");
    }

    @Test
    void saveAndLoadGiveTheSameEncoding() {
        BytePairEncoding bpe = BpeTrainer.train(MIXED, 450);
        Path f = dir.resolve("sub/bpe.merges");
        bpe.save(f, "test merges");
        BytePairEncoding loaded = BytePairEncoding.load(f);
        assertEquals(bpe.size(), loaded.size());
        assertArrayEquals(bpe.encode(MIXED), loaded.encode(MIXED));
        for (int id = 0; id < bpe.size(); id++) assertArrayEquals(bpe.bytes(id), loaded.bytes(id));
    }

    @Test
    void malformedMergesFilesAreClearErrors() throws Exception {
        Path f = dir.resolve("m.merges");
        Files.writeString(f, "hello\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BytePairEncoding.load(f)).getMessage().contains("not a dsf4j BPE merges file"));
        Files.writeString(f, "dsf4j-bpe 1\n# c\n98 99\n98 x\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BytePairEncoding.load(f)).getMessage().contains("line 4: expected two ids"));
        Files.writeString(f, "dsf4j-bpe 1\n98 300\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BytePairEncoding.load(f)).getMessage().contains("must join two earlier non-pad ids"));
    }
}
