package dsf4j.data;

import dsf4j.model.Batch;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class BlockDatasetTest {

    private static BlockDataset blocks(int trainLen, int validLen, int steps) {
        Map<Split, int[]> ids = new EnumMap<>(Split.class);
        ids.put(Split.TRAIN, range(trainLen));
        ids.put(Split.VALID, range(validLen));
        ids.put(Split.TEST, range(validLen));
        return new BlockDataset(new BytePairEncoding(new int[0], new int[0]), ids, steps, "test");
    }

    /** 10, 11, …: non-pad ids whose value says where they came from. */
    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = 10 + i;
        return a;
    }

    @Test
    void trainUsesFullBlocksOfTPlusOneIdsShuffled() {
        BlockDataset ds = blocks(4 * 10 + 3, 5, 3);              // 10 full blocks of 4 ids, 3 left over
        List<Batch> bs = ds.trainBatches(4, 5, 0);
        assertEquals(List.of(4, 4, 2), bs.stream().map(Batch::batch).toList());
        boolean[] seen = new boolean[10];
        for (Batch b : bs) {
            assertEquals(3, b.steps());
            for (int r = 0; r < b.batch(); r++) {
                int start = b.input()[r * 3] - 10;
                assertEquals(0, start % 4, "blocks start at multiples of T + 1");
                for (int t = 0; t < 3; t++) {
                    assertEquals(10 + start + t, b.input()[r * 3 + t]);
                    assertEquals(10 + start + t + 1, b.target()[r * 3 + t]);
                }
                assertFalse(seen[start / 4]);
                seen[start / 4] = true;
            }
        }
        for (boolean s : seen) assertTrue(s);
    }

    @Test
    void evalKeepsThePartialLastBlockPadded() {
        BlockDataset ds = blocks(8, 4 + 3, 3);                   // valid: one full block, then 3 ids
        List<Batch> bs = ds.batches(Split.VALID, 8);
        assertEquals(1, bs.size());
        assertArrayEquals(new int[] {10, 11, 12, /**/ 14, 15, 16}, bs.get(0).input());
        assertArrayEquals(new int[] {11, 12, 13, /**/ 15, 16, 0}, bs.get(0).target());
        assertEquals(1, blocks(8, 4 + 1, 3).batches(Split.VALID, 8).get(0).batch(), "a lone last id has no target");
    }
}
