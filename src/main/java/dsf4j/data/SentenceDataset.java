package dsf4j.data;

import dsf4j.model.Batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Sentence-level samples, as the authors' PTB code reads them: each line is one sample
 * {@code <bos> w1 … wn <eos>}, cut to its first T + 1 tokens; in a batch, row b holds sample s of length
 * L = min(|s|, T + 1) as {@code input[b, t] = s[t]} for t &lt; L and {@code target[b, t] = s[t + 1]} for
 * t &lt; L − 1, every other cell {@code <pad>} (targets equal to the pad id are ignored by the loss). A batch
 * is only as long as its longest row: steps = max L − 1 ≤ T.
 *
 * <p>Training batches follow a {@link Batching}: {@code random} (the authors': shuffled samples cut into
 * batches, each trimmed to its longest row, like their pad_sequence) or {@code bucket:N}: the shuffled
 * order is cut into mega-batches of N·B samples, each sorted by length (stable) and cut into batches of B,
 * and the batch order shuffled again. Every sample appears once per epoch either way; what bucketing
 * changes is which samples share a batch, hence each step's gradient (see {@link Batching}).
 */
public final class SentenceDataset implements Dataset {

    private final Vocabulary vocab;
    private final Map<Split, int[][]> samples;
    private final int steps;
    private final Batching batching;
    private final String provenance;

    /**
     * @param steps    T, the most input steps of a row (the authors' PTB: 64)
     * @param batching how training samples are grouped into batches
     */
    public SentenceDataset(Corpus corpus, Vocabulary vocab, int steps, Batching batching) {
        if (steps < 1) throw new IllegalArgumentException("--seq must be ≥ 1 (got " + steps + "): give a positive sequence length");
        this.vocab = vocab;
        this.steps = steps;
        this.batching = batching;
        this.samples = new EnumMap<>(Split.class);
        for (Split s : Split.values()) samples.put(s, sentences(vocab, corpus.text(s)));
        this.provenance = corpus.provenance() + " mode=sentences T=" + steps + " V=" + vocab.size() + " batching=" + batching.id();
    }

    /** One sample per line: {@code <bos>}, the line's word ids, {@code <eos>}. */
    static int[][] sentences(Vocabulary vocab, CorpusText text) {
        String[] lines = text.lines();
        int[][] out = new int[lines.length][];
        for (int i = 0; i < lines.length; i++) {
            int[] words = vocab.encode(lines[i]);
            int[] s = new int[words.length + 2];
            s[0] = Vocabulary.BOS_ID;
            System.arraycopy(words, 0, s, 1, words.length);
            s[s.length - 1] = Vocabulary.EOS_ID;
            out[i] = s;
        }
        return out;
    }

    @Override
    public Tokenizer tokenizer() {
        return vocab;
    }

    /** A sentence starts with {@code <bos>}. */
    @Override
    public int[] startOfText() {
        return new int[] {Vocabulary.BOS_ID};
    }

    /** Number of samples (lines) of a split. */
    public int sampleCount(Split split) {
        return samples.get(split).length;
    }

    @Override
    public List<Batch> trainBatches(int batchSize, long seed, int epoch) {
        int[][] train = samples.get(Split.TRAIN);
        var rng = Shuffle.random(seed, epoch);
        int[] order = Shuffle.permutation(train.length, rng);
        int mega = batching.bucketBatches() * batchSize;
        List<int[]> groups = new ArrayList<>();
        for (int from = 0; from < order.length; from += mega) {
            Integer[] chunk = Arrays.stream(order, from, Math.min(order.length, from + mega)).boxed().toArray(Integer[]::new);
            if (!batching.isRandom()) Arrays.sort(chunk, (a, b) -> Integer.compare(rowLength(train[a]), rowLength(train[b])));
            for (int b = 0; b < chunk.length; b += batchSize) {
                groups.add(Arrays.stream(chunk, b, Math.min(chunk.length, b + batchSize)).mapToInt(Integer::intValue).toArray());
            }
        }
        int[] batchOrder = Shuffle.permutation(groups.size(), rng);
        List<Batch> out = new ArrayList<>(groups.size());
        for (int g : batchOrder) out.add(batch(train, groups.get(g)));
        return out;
    }

    @Override
    public List<Batch> batches(Split split, int batchSize) {
        int[][] data = samples.get(split);
        List<Batch> out = new ArrayList<>();
        for (int from = 0; from < data.length; from += batchSize) {
            int[] rows = new int[Math.min(batchSize, data.length - from)];
            for (int i = 0; i < rows.length; i++) rows[i] = from + i;
            out.add(batch(data, rows));
        }
        return out;
    }

    private int rowLength(int[] sample) {
        return Math.min(sample.length, steps + 1);
    }

    /** The batch of samples {@code rows} (indices into {@code data}), trimmed to its longest row. */
    private Batch batch(int[][] data, int[] rows) {
        int len = 0;
        for (int r : rows) len = Math.max(len, rowLength(data[r]));
        int t1 = len - 1;                                   // steps of this batch, ≥ 1 (every sample has <bos> <eos>)
        int[] input = new int[rows.length * t1];            // [B, t1], <pad> = 0 everywhere not written
        int[] target = new int[rows.length * t1];           // [B, t1]
        for (int b = 0; b < rows.length; b++) {
            int[] s = data[rows[b]];
            int l = rowLength(s);
            for (int t = 0; t < Math.min(l, t1); t++) input[b * t1 + t] = s[t];
            for (int t = 0; t < l - 1; t++) target[b * t1 + t] = s[t + 1];
        }
        return new Batch(rows.length, t1, input, target);
    }

    @Override
    public String provenance() {
        return provenance;
    }
}
