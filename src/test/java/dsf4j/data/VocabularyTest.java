package dsf4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class VocabularyTest {

    @TempDir
    Path dir;

    @Test
    void specialsFirstThenWordsInOrderOfFirstOccurrenceWithoutDoublingUnk() {
        Vocabulary v = Vocabulary.build(TestCorpora.TRAIN);
        // <pad> <bos> <eos> <unk> | the cat sat on mat a dog barked   (<unk> in the text reuses id 3)
        assertEquals(12, v.size());
        assertEquals(0, v.padId());
        String[] expected = {"<pad>", "<bos>", "<eos>", "<unk>", "the", "cat", "sat", "on", "mat", "a", "dog", "barked"};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], v.word(i));
            assertEquals(i, v.id(expected[i]));
        }
    }

    @Test
    void encodeMapsUnknownWordsToUnkAndIgnoresPtbSpacing() {
        Vocabulary v = Vocabulary.build(TestCorpora.TRAIN);
        assertArrayEquals(new int[] {4, 3, 6}, v.encode(" the bird sat \n"));
        assertEquals("the <unk> sat", v.decode(new int[] {4, 3, 6, 0, 0}));
    }

    @Test
    void linesWithEosGiveTheClassicStream() throws Exception {
        Vocabulary v = Vocabulary.build(TestCorpora.TRAIN);
        java.nio.file.Files.writeString(dir.resolve("v.txt"), TestCorpora.VALID + " \n");
        int[] ids = v.encodeLinesWithEos(CorpusText.read(dir.resolve("v.txt")));
        // " the bird sat " <eos> " a cat " <eos> " " (empty line) <eos>
        assertArrayEquals(new int[] {4, 3, 6, 2, 9, 5, 2, 2}, ids);
    }

    @Test
    void writeAndReadGiveTheSameVocabulary() {
        Vocabulary v = Vocabulary.build(TestCorpora.TRAIN + " 東京 タワー \n");
        Path f = dir.resolve("vocab.txt");
        v.write(f);
        Vocabulary r = Vocabulary.read(f);
        assertEquals(v.size(), r.size());
        for (int i = 0; i < v.size(); i++) assertEquals(v.word(i), r.word(i));
        assertEquals(v.id("タワー"), r.id("タワー"));
    }
}
