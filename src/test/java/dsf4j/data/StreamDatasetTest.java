package dsf4j.data;

import dsf4j.model.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class StreamDatasetTest {

    @TempDir
    Path dir;

    @Test
    void batchifyCutsBStreamsIntoConsecutiveWindows() throws Exception {
        Corpus c = TestCorpora.small(dir);
        var ds = new StreamDataset(c, Vocabulary.build(c.text(Split.TRAIN).text()), 2);
        assertTrue(ds.carriesState());
        // train stream: the cat sat on the mat <eos> a <unk> dog barked <eos> the dog sat <eos>
        //             = 4 5 6 7 4 8 2 9 3 10 11 2 4 10 6 2   (N = 16)
        // B = 3: n = 5, streams [4 5 6 7 4] [8 2 9 3 10] [11 2 4 10 6], the last id dropped
        List<Batch> bs = ds.trainBatches(3, 1, 1);
        assertEquals(2, bs.size());
        assertEquals(2, bs.get(0).steps());
        assertArrayEquals(new int[] {4, 5, /**/ 8, 2, /**/ 11, 2}, bs.get(0).input());
        assertArrayEquals(new int[] {5, 6, /**/ 2, 9, /**/ 2, 4}, bs.get(0).target());
        assertArrayEquals(new int[] {6, 7, /**/ 9, 3, /**/ 4, 10}, bs.get(1).input());
        assertArrayEquals(new int[] {7, 4, /**/ 3, 10, /**/ 10, 6}, bs.get(1).target());
        List<Batch> again = ds.trainBatches(3, 99, 7);            // stream order: seed and epoch change nothing
        for (int k = 0; k < bs.size(); k++) assertArrayEquals(bs.get(k).input(), again.get(k).input());
    }

    @Test
    void lastWindowIsShorterAndTooManyStreamsIsAClearError() throws Exception {
        Corpus c = TestCorpora.small(dir);
        var ds = new StreamDataset(c, Vocabulary.build(c.text(Split.TRAIN).text()), 3);
        List<Batch> bs = ds.batches(Split.TRAIN, 2);              // n = 8: windows of 3, 3, 1
        assertEquals(List.of(3, 3, 1), bs.stream().map(Batch::steps).toList());
        assertArrayEquals(new int[] {2, /**/ 6}, bs.get(2).input());
        assertArrayEquals(new int[] {9, /**/ 2}, bs.get(2).target());
        var e = assertThrows(IllegalArgumentException.class, () -> ds.batches(Split.VALID, 7));
        assertTrue(e.getMessage().contains("use a smaller --batch"), e.getMessage());
    }
}
