package dsf4j.data;

import dsf4j.model.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SentenceDatasetTest {

    @TempDir
    Path dir;

    @Test
    void evalBatchIsBosWordsEosPaddedAndTrimmedToItsLongestRow() throws Exception {
        Corpus c = TestCorpora.small(dir);
        var ds = new SentenceDataset(c, Vocabulary.build(c.text(Split.TRAIN).text()), 64, Batching.bucket(50));
        List<Batch> bs = ds.batches(Split.VALID, 8);
        assertEquals(1, bs.size());
        Batch b = bs.get(0);
        // samples: <bos> the <unk>(bird) sat <eos> = [1 4 3 6 2] and <bos> a cat <eos> = [1 9 5 2]; steps = 5 − 1
        assertEquals(2, b.batch());
        assertEquals(4, b.steps());
        assertArrayEquals(new int[] {1, 4, 3, 6, /**/ 1, 9, 5, 2}, b.input());
        assertArrayEquals(new int[] {4, 3, 6, 2, /**/ 9, 5, 2, 0}, b.target());
    }

    @Test
    void longSentencesAreCutToTPlusOneTokens() throws Exception {
        Corpus c = TestCorpora.small(dir);
        var ds = new SentenceDataset(c, Vocabulary.build(c.text(Split.TRAIN).text()), 3, Batching.bucket(50));
        Batch b = ds.batches(Split.TEST, 4).get(0);
        // <bos> the mat sat on a dog <eos> cut to 4 tokens: <bos> the mat sat
        assertEquals(3, b.steps());
        assertArrayEquals(new int[] {1, 4, 8}, b.input());
        assertArrayEquals(new int[] {4, 8, 6}, b.target());
    }

    @Test
    void bucketingKeepsEveryRowAndTheEpochsSummedLossWhileCuttingPadding() throws Exception {
        String train = TestCorpora.randomLines(1000, 90, 7);
        Corpus c = CorpusLocator.standard().open(TestCorpora.writeFolder(dir.resolve("r"), train, TestCorpora.VALID, TestCorpora.TEST).toString());
        Vocabulary v = Vocabulary.build(train);
        int t = 64, batch = 16;
        var bucketed = new SentenceDataset(c, v, t, Batching.bucket(50)).trainBatches(batch, 42, 3);
        var plain = new SentenceDataset(c, v, t, Batching.RANDOM).trainBatches(batch, 42, 3);
        var ordered = new SentenceDataset(c, v, t, Batching.bucket(50)).batches(Split.TRAIN, batch);

        List<String> rowsB = rows(bucketed), rowsP = rows(plain), rowsO = rows(ordered);
        assertEquals(1000, rowsB.size());
        assertEquals(rowsO, rowsB);
        assertEquals(rowsO, rowsP);

        long[] lossB = toyLoss(bucketed), lossP = toyLoss(plain), lossO = toyLoss(ordered);
        assertArrayEquals(lossO, lossB);      // {sum, count}: same per-token loss, exactly
        assertArrayEquals(lossO, lossP);
        assertTrue(lossB[1] > 1000 * 10, "targets counted: " + lossB[1]);

        long cellsB = cells(bucketed), cellsP = cells(plain);
        // cells = B × steps summed over batches; the least any batching can do is one cell per non-pad
        // target plus, per uncut row, the <eos> input whose target is pad: ≤ targets + 1,000 rows
        long least = lossB[1] + 1000;
        assertTrue(cellsB < 1.01 * least, "bucketed cells " + cellsB + " vs at least " + least);
        assertTrue(cellsP > 1.4 * least, "plain cells " + cellsP + " vs at least " + least);
        // same (seed, epoch) ⇒ same batches; another epoch ⇒ another order
        assertEquals(toyLoss(bucketed)[0], toyLoss(new SentenceDataset(c, v, t, Batching.bucket(50)).trainBatches(batch, 42, 3))[0]);
        assertNotEquals(firstRow(bucketed), firstRow(new SentenceDataset(c, v, t, Batching.bucket(50)).trainBatches(batch, 42, 4)));
    }

    @Test
    void randomBatchesAreUniformSamplesWhileBucketsGroupOneLength() throws Exception {
        String train = TestCorpora.randomLines(2000, 90, 11);
        Corpus c = CorpusLocator.standard().open(TestCorpora.writeFolder(dir.resolve("u"), train, TestCorpora.VALID, TestCorpora.TEST).toString());
        Vocabulary v = Vocabulary.build(train);
        int t = 64, batch = 16;
        double[] random = rowLengthSpread(new SentenceDataset(c, v, t, Batching.RANDOM).trainBatches(batch, 5, 0));
        double[] bucket = rowLengthSpread(new SentenceDataset(c, v, t, Batching.bucket(50)).trainBatches(batch, 5, 0));
        // {mean within-batch variance of the row lengths, variance of all row lengths}: a uniform sample's
        // batches are as spread as the corpus (ratio ≈ (B−1)/B), a bucket's rows have nearly one length
        assertTrue(random[0] > 0.7 * random[1], "random batches: within " + random[0] + " vs corpus " + random[1]);
        assertTrue(bucket[0] < 0.05 * bucket[1], "bucket batches: within " + bucket[0] + " vs corpus " + bucket[1]);
    }

    /** {mean over batches of the variance of the row lengths in a batch, variance of every row length}. */
    private static double[] rowLengthSpread(List<Batch> batches) {
        List<Integer> all = new ArrayList<>();
        double within = 0;
        for (Batch b : batches) {
            int[] len = new int[b.batch()];
            for (int r = 0; r < b.batch(); r++) {
                for (int s = 0; s < b.steps(); s++) if (b.target()[r * b.steps() + s] != 0) len[r]++;
                all.add(len[r]);
            }
            within += variance(java.util.Arrays.stream(len).boxed().toList());
        }
        return new double[] {within / batches.size(), variance(all)};
    }

    private static double variance(List<Integer> xs) {
        double m = xs.stream().mapToInt(Integer::intValue).average().orElse(0);
        return xs.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / xs.size();
    }

    @Test
    void batchingParsesTheFlagsSpellingsAndRefusesOthersInOneLine() {
        assertEquals(Batching.RANDOM, Batching.parse("random"));
        assertEquals(Batching.bucket(50), Batching.parse("bucket"));
        assertEquals(Batching.bucket(8), Batching.parse("bucket:8"));
        assertEquals("bucket:8", Batching.bucket(8).id());
        for (String bad : new String[] {"buckets", "bucket:", "bucket:0", "bucket:x", "sorted"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Batching.parse(bad));
            assertTrue(e.getMessage().contains("--batching") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** Every row as its non-pad (input, target) pairs, sorted: the multiset of training sequences. */
    static List<String> rows(List<Batch> batches) {
        List<String> out = new ArrayList<>();
        for (Batch b : batches) {
            for (int r = 0; r < b.batch(); r++) {
                StringBuilder sb = new StringBuilder();
                for (int t = 0; t < b.steps(); t++) {
                    int i = r * b.steps() + t;
                    if (b.target()[i] != 0) sb.append(b.input()[i]).append('>').append(b.target()[i]).append(' ');
                }
                out.add(sb.toString());
            }
        }
        Collections.sort(out);
        return out;
    }

    /**
     * A stand-in recurrent model with integer arithmetic: state h resets to 0 per row, h = 31h + input,
     * loss(t) = (h xor 7·target) mod 65,536 over non-pad targets. Returns {sum, count}.
     */
    static long[] toyLoss(List<Batch> batches) {
        long sum = 0, count = 0;
        for (Batch b : batches) {
            for (int r = 0; r < b.batch(); r++) {
                long h = 0;
                for (int t = 0; t < b.steps(); t++) {
                    int i = r * b.steps() + t;
                    h = 31 * h + b.input()[i];
                    if (b.target()[i] != 0) { sum += (h ^ 7L * b.target()[i]) & 0xFFFF; count++; }
                }
            }
        }
        return new long[] {sum, count};
    }

    private static long cells(List<Batch> batches) {
        return batches.stream().mapToLong(Batch::tokenCount).sum();
    }

    private static String firstRow(List<Batch> batches) {
        return java.util.Arrays.toString(batches.get(0).input());
    }
}
