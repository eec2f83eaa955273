package dsf4j.data;

import dsf4j.model.Batch;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Fixed-length blocks, the authors' WikiText setup: a split's ids are concatenated and cut into blocks of
 * T + 1 ids (block j = ids[j(T+1), (j+1)(T+1))), {@code input = block[0, T)}, {@code target = block[1, T+1)};
 * every block starts from a zero state. The first id of a block is never a target (as in the authors'
 * group_texts with 256-id blocks, T = 255).
 *
 * <p>Training uses the full blocks only (the authors drop the remainder), shuffled from (seed, epoch).
 * Evaluation uses every block in order; the last, partial block (when it holds ≥ 2 ids) is padded with
 * the pad id, whose targets the loss ignores. Ids come from a word vocabulary (mode {@code words}) or a
 * byte-level BPE (mode {@code bpe-blocks}); both have the pad id 0.
 */
public final class BlockDataset implements Dataset {

    private final Tokenizer tokenizer;
    private final Map<Split, int[]> ids;
    private final int steps;
    private final String provenance;

    /**
     * @param ids   each split's ids, concatenated (not modified, not copied)
     * @param steps T (the authors: 255)
     */
    public BlockDataset(Tokenizer tokenizer, Map<Split, int[]> ids, int steps, String provenance) {
        if (steps < 1) throw new IllegalArgumentException("--seq must be ≥ 1 (got " + steps + "): give a positive sequence length");
        if (tokenizer.padId() != 0) throw new IllegalArgumentException("block batches need a tokenizer whose pad id is 0");
        this.tokenizer = tokenizer;
        this.ids = new EnumMap<>(ids);
        this.steps = steps;
        this.provenance = provenance;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** A line break: {@code <eos>} in a word vocabulary, the ids of {@code "\n"} in a BPE. */
    @Override
    public int[] startOfText() {
        return tokenizer instanceof Vocabulary ? new int[] {Vocabulary.EOS_ID} : tokenizer.encode("\n");
    }

    /** Number of ids of a split. */
    public int tokenCount(Split split) {
        return ids.get(split).length;
    }

    @Override
    public List<Batch> trainBatches(int batchSize, long seed, int epoch) {
        int[] data = ids.get(Split.TRAIN);
        int full = data.length / (steps + 1);
        if (full == 0) throw new IllegalArgumentException("the training split has " + data.length + " tokens, fewer than one block of "
                + (steps + 1) + ": use a smaller --seq");
        int[] order = Shuffle.permutation(full, Shuffle.random(seed, epoch));
        List<Batch> out = new ArrayList<>();
        for (int from = 0; from < full; from += batchSize) {
            int rows = Math.min(batchSize, full - from);
            int[] input = new int[rows * steps];            // [B, T]
            int[] target = new int[rows * steps];           // [B, T]
            for (int b = 0; b < rows; b++) fillRow(data, order[from + b] * (steps + 1), input, target, b);
            out.add(new Batch(rows, steps, input, target));
        }
        return out;
    }

    @Override
    public List<Batch> batches(Split split, int batchSize) {
        int[] data = ids.get(split);
        int blocks = (data.length + steps - 1) / (steps + 1);   // full blocks, plus the last partial one if it has ≥ 2 ids
        List<Batch> out = new ArrayList<>();
        for (int from = 0; from < blocks; from += batchSize) {
            int rows = Math.min(batchSize, blocks - from);
            int[] input = new int[rows * steps];            // [B, T], pad (0) past the end of the split
            int[] target = new int[rows * steps];           // [B, T]
            for (int b = 0; b < rows; b++) fillRow(data, (from + b) * (steps + 1), input, target, b);
            out.add(new Batch(rows, steps, input, target));
        }
        return out;
    }

    /** Writes the block starting at {@code start} into row {@code b} of {@code input} and {@code target} (both modified). */
    private void fillRow(int[] data, int start, int[] input, int[] target, int b) {
        int inLen = Math.min(steps, data.length - start);
        int tgtLen = Math.min(steps, data.length - start - 1);
        System.arraycopy(data, start, input, b * steps, inLen);
        System.arraycopy(data, start + 1, target, b * steps, tgtLen);
    }

    @Override
    public String provenance() {
        return provenance;
    }
}
