package dsf4j.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real Penn Treebank, when it is on this machine ($DSF4J_DATA, ../shared/data or data/cache, as train finds it;
 * never downloaded here): the counts recorded in its PROVENANCE.md.
 */
class RealPtbTest {

    @Test
    void ptbReadsWithTheRecordedCounts() {
        Corpus ptb;
        try {
            ptb = CorpusLocator.standard(true).open("ptb");   // offline; verifies all three sha256
        } catch (IllegalArgumentException e) {
            assumeTrue(!e.getMessage().startsWith("corpus ptb not found"), "PTB is not on this machine: " + e.getMessage());
            throw e;
        }

        var ds = new SentenceDataset(ptb, Vocabulary.build(ptb.text(Split.TRAIN).text()), 64, Batching.RANDOM);
        Vocabulary v = (Vocabulary) ds.tokenizer();
        assertEquals(42_068, ds.sampleCount(Split.TRAIN));
        assertEquals(3_370, ds.sampleCount(Split.VALID));
        assertEquals(3_761, ds.sampleCount(Split.TEST));
        // 10,000 types incl. <unk> and <eos>, plus <pad> and <bos>
        assertEquals(10_002, v.size());
        assertEquals(Vocabulary.UNK_ID, v.id("<unk>"));
        assertEquals(929_589, v.encodeLinesWithEos(ptb.text(Split.TRAIN)).length);
        assertEquals(82_430, v.encodeLinesWithEos(ptb.text(Split.TEST)).length);
        int unk = 0;
        for (int id : v.encodeLinesWithEos(ptb.text(Split.TRAIN))) if (id == Vocabulary.UNK_ID) unk++;
        assertEquals(45_020, unk);
    }
}
