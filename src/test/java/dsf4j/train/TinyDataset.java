package dsf4j.train;

import dsf4j.data.Dataset;
import dsf4j.data.Split;
import dsf4j.data.Tokenizer;
import dsf4j.model.Batch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A learnable toy corpus for tests: sequences from a seeded Markov chain over {@code vocab - 1}
 * words (token 0 is the pad id; each sequence's tail is padded with a seeded probability), cut into
 * [B, T] batches; the train order is shuffled from (seed, epoch) as {@link Dataset} requires.
 */
final class TinyDataset implements Dataset {

    final int vocab, steps;
    private final List<int[]> train, valid, test;   // each row: T + 1 ids

    TinyDataset(int vocab, int steps, int trainRows, int evalRows, long seed) {
        this.vocab = vocab;
        this.steps = steps;
        Random rng = new Random(seed);
        int[] next = new int[vocab];
        for (int w = 1; w < vocab; w++) next[w] = 1 + rng.nextInt(vocab - 1);
        train = rows(trainRows, rng, next);
        valid = rows(evalRows, rng, next);
        test = rows(evalRows, rng, next);
    }

    private List<int[]> rows(int n, Random rng, int[] next) {
        List<int[]> rows = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int[] ids = new int[steps + 1];
            ids[0] = 1 + rng.nextInt(vocab - 1);
            for (int t = 1; t <= steps; t++) ids[t] = rng.nextDouble() < 0.8 ? next[ids[t - 1]] : 1 + rng.nextInt(vocab - 1);
            if (rng.nextDouble() < 0.3) for (int t = steps - rng.nextInt(3); t <= steps; t++) ids[t] = 0;
            rows.add(ids);
        }
        return rows;
    }

    @Override
    public Tokenizer tokenizer() {
        return new Tokenizer() {
            public int size() { return vocab; }
            public int padId() { return 0; }
            public int[] encode(String text) {
                return text.isBlank() ? new int[0] : text.trim().chars().filter(c -> c != ' ').map(c -> 1 + (c - 'a') % (vocab - 1)).toArray();
            }
            public String decode(int[] ids) {
                StringBuilder b = new StringBuilder();
                for (int id : ids) b.append(id == 0 ? '_' : (char) ('a' + id - 1));
                return b.toString();
            }
        };
    }

    @Override
    public List<Batch> trainBatches(int batchSize, long seed, int epoch) {
        List<int[]> order = new ArrayList<>(train);
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        return cut(order, batchSize);
    }

    @Override
    public List<Batch> batches(Split split, int batchSize) {
        return cut(split == Split.TRAIN ? train : split == Split.VALID ? valid : test, batchSize);
    }

    private List<Batch> cut(List<int[]> rows, int b) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i + b <= rows.size(); i += b) {
            int[] in = new int[b * steps], tg = new int[b * steps];
            for (int r = 0; r < b; r++) {
                int[] ids = rows.get(i + r);
                System.arraycopy(ids, 0, in, r * steps, steps);
                System.arraycopy(ids, 1, tg, r * steps, steps);
            }
            out.add(new Batch(b, steps, in, tg));
        }
        return out;
    }

    @Override
    public String provenance() {
        return "tiny markov corpus (test)";
    }
}
