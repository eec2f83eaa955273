package dsf4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where a text generated without a prompt starts: where the dataset's samples start, as training saw them; and a
 * corpus read with another corpus's vocabulary (a checkpoint's), unknown words as {@code <unk>}.
 */
class StartOfTextTest {

    @TempDir
    Path dir;

    @Test
    void aSentenceStartsWithBosAsEverySampleDoes() throws Exception {
        Corpus c = TestCorpora.small(dir.resolve("s"));
        var ds = new SentenceDataset(c, Vocabulary.build(c.text(Split.TRAIN).text()), 64, Batching.RANDOM);
        assertArrayEquals(new int[] {Vocabulary.BOS_ID}, ds.startOfText());
        var b = ds.batches(Split.VALID, 8).get(0);
        for (int r = 0; r < b.batch(); r++) assertEquals(ds.startOfText()[0], b.input()[r * b.steps()], "row " + r);
    }

    @Test
    void aStreamOrWordBlockStartsAfterALineBreak() throws Exception {
        Corpus c = TestCorpora.small(dir.resolve("w"));
        Vocabulary v = Vocabulary.build(c.text(Split.TRAIN).text());
        assertArrayEquals(new int[] {Vocabulary.EOS_ID}, new StreamDataset(c, v, 4).startOfText());
        assertArrayEquals(new int[] {Vocabulary.EOS_ID}, Datasets.of(c, DataSpec.defaults(c.name()).withMode(DataMode.WORDS).withSteps(4)).startOfText());
        int[] stream = v.encodeLinesWithEos(c.text(Split.TRAIN));
        assertEquals(Vocabulary.EOS_ID, stream[v.encode(c.text(Split.TRAIN).lines()[0]).length], "lines are separated by <eos>");
    }

    @Test
    void aBpeBlockStartsAfterTheBytesOfANewline() {
        BytePairEncoding bpe = new BytePairEncoding(new int[] {'\n' + 1}, new int[] {'\n' + 1});   // one merge: "\n\n"
        Map<Split, int[]> ids = new EnumMap<>(Split.class);
        for (Split s : Split.values()) ids.put(s, bpe.encode("a\nb\n"));
        BlockDataset ds = new BlockDataset(bpe, ids, 2, "test");
        assertArrayEquals(new int[] {'\n' + 1}, ds.startOfText());
        assertEquals("\n", bpe.decode(ds.startOfText()));
    }

    @Test
    void aDatasetWithoutAStartAsksForAPrompt() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Dataset() {
            public Tokenizer tokenizer() { return null; }
            public java.util.List<dsf4j.model.Batch> trainBatches(int b, long s, int e2) { return null; }
            public java.util.List<dsf4j.model.Batch> batches(Split s, int b) { return null; }
            public String provenance() { return ""; }
        }.startOfText());
        assertTrue(e.getMessage().endsWith("give --prompt"), e.getMessage());
    }

    /** Another corpus read with this vocabulary: its words keep their ids, the others become <unk>; the share is counted. */
    @Test
    void anotherCorpusIsReadWithTheGivenVocabularyUnknownWordsAsUnk() throws Exception {
        Corpus mine = TestCorpora.small(dir.resolve("mine"));
        Vocabulary v = Vocabulary.build(mine.text(Split.TRAIN).text());
        Path other = TestCorpora.writeFolder(dir.resolve("other"), TestCorpora.ptbLine("zebra quokka yak"), TestCorpora.ptbLine("the zebra sat"),
                TestCorpora.ptbLine("the cat <unk> sat on a yak"));
        Corpus o = new CorpusLocator(java.util.List.of(), Manifest.load()).open(other.toString());
        var ds = (SentenceDataset) Datasets.of(o, DataSpec.defaults(other.toString()), v);
        assertEquals(v, ds.tokenizer(), "the vocabulary given, not one built from the other corpus");
        var b = ds.batches(Split.TEST, 1).get(0);
        assertArrayEquals(new int[] {Vocabulary.BOS_ID, v.id("the"), v.id("cat"), Vocabulary.UNK_ID, v.id("sat"), v.id("on"), v.id("a"), Vocabulary.UNK_ID},
                b.input());
        assertEquals(1.0 / 7, v.unknownShare(o.text(Split.TEST).text()), 1e-12, "yak only: the word <unk> is known");
        assertEquals(1.0 / 3, v.unknownShare(o.text(Split.VALID).text()), 1e-12, "zebra");
        assertEquals(1.0, v.unknownShare(o.text(Split.TRAIN).text()), 1e-12);
        assertEquals(0, v.unknownShare(" \n"));
        var e = assertThrows(IllegalArgumentException.class, () -> Datasets.of(o, DataSpec.defaults(other.toString()), new BytePairEncoding(new int[0], new int[0])));
        assertTrue(e.getMessage().startsWith("data mode sentences needs a word vocabulary"), e.getMessage());
    }
}
