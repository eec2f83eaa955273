package dsf4j.data;

import dsf4j.model.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DatasetsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsFollowTheAuthors() {
        DataSpec ptb = DataSpec.defaults("ptb");
        assertEquals(DataMode.SENTENCES, ptb.mode());
        assertEquals(64, ptb.steps());
        DataSpec wt = DataSpec.defaults("wikitext-103");
        assertEquals(DataMode.BPE_BLOCKS, wt.mode());
        assertEquals(255, wt.steps());
        assertEquals(16_000, wt.bpeVocabSize());
        assertEquals(DataMode.BPE_BLOCKS, DataMode.parse("bpe-blocks"));
        assertThrows(IllegalArgumentException.class, () -> DataMode.parse("chars"));
    }

    @Test
    void everyModeBuildsBatchesOfTheCorpus() throws Exception {
        Corpus c = TestCorpora.small(dir.resolve("c"));
        DataSpec spec = DataSpec.defaults(c.name()).withSteps(4).withCacheDir(dir.resolve("cache")).withBpe(270, null);
        for (DataMode m : DataMode.values()) {
            Dataset ds = Datasets.of(c, spec.withMode(m));
            List<Batch> train = ds.trainBatches(2, 1, 0);
            assertFalse(train.isEmpty(), m.id());
            assertEquals(m == DataMode.STREAM, ds.carriesState(), m.id());
            assertTrue(ds.provenance().contains("mode=" + m.id()), ds.provenance());
            assertEquals(m == DataMode.BPE_BLOCKS ? 270 : 12, ds.tokenizer().size(), m.id());
        }
    }

    @Test
    void trainedMergesAreCachedByCorpusAndVocabSizeThenLoaded() throws Exception {
        Corpus c = TestCorpora.small(dir.resolve("c"));
        DataSpec spec = DataSpec.defaults(c.name()).withMode(DataMode.BPE_BLOCKS).withSteps(8).withCacheDir(dir.resolve("cache")).withBpe(280, null);
        Path cached = Datasets.bpeCachePath(c, spec);
        assertEquals("bpe-" + c.text(Split.TRAIN).sha256().substring(0, 16) + "-280.merges", cached.getFileName().toString());
        assertFalse(Files.exists(cached));
        assertEquals(280, Datasets.of(c, spec).tokenizer().size());
        assertTrue(Files.isRegularFile(cached));
        // Replace the cache with a merge-free file: the next run must load it, not retrain.
        new BytePairEncoding(new int[0], new int[0]).save(cached, "empty");
        assertEquals(257, Datasets.of(c, spec).tokenizer().size());
        // An explicit merges file wins over the cache.
        Path explicit = dir.resolve("given.merges");
        new BytePairEncoding(new int[] {98}, new int[] {99}).save(explicit, "one merge");
        assertEquals(258, Datasets.of(c, spec.withBpe(280, explicit)).tokenizer().size());
    }
}
