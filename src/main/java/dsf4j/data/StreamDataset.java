package dsf4j.data;

import dsf4j.model.Batch;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The classic continuous stream ("batchify" of PyTorch's word_language_model): a split's ids (each line's
 * words then {@code <eos>}, see {@link Vocabulary#encodeLinesWithEos}) are cut into B equal streams
 * (the last N mod B ids dropped), stream b = ids[b·n, (b+1)·n) with n = ⌊N / B⌋, and batch k holds the
 * consecutive window {@code input[b, t] = stream_b[k·T + t]}, {@code target[b, t] = stream_b[k·T + t + 1]}
 * for t &lt; min(T, n − 1 − k·T) (the last window may be shorter). There is no padding.
 *
 * <p>Row b of batch k + 1 continues row b of batch k, so a trainer may carry each row's final state into
 * the next batch (truncated BPTT); this Dataset does not hold any state itself ({@link #carriesState()} is
 * true). For that reason {@link #trainBatches} returns the batches in stream order, ignoring seed and epoch.
 */
public final class StreamDataset implements Dataset {

    private final Vocabulary vocab;
    private final Map<Split, int[]> streams = new EnumMap<>(Split.class);
    private final int steps;
    private final String provenance;

    /** @param steps T, the window length */
    public StreamDataset(Corpus corpus, Vocabulary vocab, int steps) {
        if (steps < 1) throw new IllegalArgumentException("--seq must be ≥ 1 (got " + steps + "): give a positive sequence length");
        this.vocab = vocab;
        this.steps = steps;
        for (Split s : Split.values()) streams.put(s, vocab.encodeLinesWithEos(corpus.text(s)));
        this.provenance = corpus.provenance() + " mode=stream T=" + steps + " V=" + vocab.size();
    }

    @Override
    public Tokenizer tokenizer() {
        return vocab;
    }

    @Override
    public boolean carriesState() {
        return true;
    }

    /** Each line of the stream follows an {@code <eos>}. */
    @Override
    public int[] startOfText() {
        return new int[] {Vocabulary.EOS_ID};
    }

    /** The stream batches of the training split in order (seed and epoch are ignored: order is what carries state). */
    @Override
    public List<Batch> trainBatches(int batchSize, long seed, int epoch) {
        return batches(Split.TRAIN, batchSize);
    }

    @Override
    public List<Batch> batches(Split split, int batchSize) {
        int[] ids = streams.get(split);
        int n = ids.length / batchSize;
        if (n < 2) throw new IllegalArgumentException("the " + split.id() + " split has " + ids.length + " tokens, too few for "
                + batchSize + " streams: use a smaller --batch");
        List<Batch> out = new ArrayList<>();
        for (int k0 = 0; k0 < n - 1; k0 += steps) {
            int t1 = Math.min(steps, n - 1 - k0);
            int[] input = new int[batchSize * t1];          // [B, t1]
            int[] target = new int[batchSize * t1];         // [B, t1]
            for (int b = 0; b < batchSize; b++) {
                System.arraycopy(ids, b * n + k0, input, b * t1, t1);
                System.arraycopy(ids, b * n + k0 + 1, target, b * t1, t1);
            }
            out.add(new Batch(batchSize, t1, input, target));
        }
        return out;
    }

    @Override
    public String provenance() {
        return provenance;
    }
}
