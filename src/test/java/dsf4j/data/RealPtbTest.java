package dsf4j.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real Penn Treebank from ../shared/data/ptb, when present: the counts recorded in its PROVENANCE.md. */
class RealPtbTest {

    @Test
    void ptbReadsWithTheRecordedCounts() {
        Path shared = Path.of("").toAbsolutePath().resolveSibling("shared").resolve("data");
        assumeTrue(Files.isDirectory(shared.resolve("ptb")), "no ../shared/data/ptb beside the repository");
        Corpus ptb = new CorpusLocator(List.of(shared), Manifest.load()).open("ptb");   // verifies all three sha256

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
