package dsf4j.data;

import java.nio.file.Path;

/**
 * What {@link Datasets#open} builds.
 *
 * @param data         {@code ptb}, {@code wikitext-2}, {@code wikitext-103} or a folder (see {@link CorpusLocator})
 * @param mode         how the corpus becomes batches
 * @param steps        T, the input length of a sample (≤ T for sentences and the last stream window)
 * @param bpeVocabSize V of the BPE to train (mode bpe-blocks; ignored when {@code mergesFile} is given)
 * @param mergesFile   a BPE merges file to load instead of training one, or null
 * @param cacheDir     where trained BPE merges are kept ({@code bpe-<sha256 of train, 16 hex>-<V>.merges})
 * @param batching     how sentence samples are grouped into training batches
 */
public record DataSpec(String data, DataMode mode, int steps, int bpeVocabSize, Path mergesFile, Path cacheDir, Batching batching) {

    /** The authors' setup for {@code data}: its default mode and T, V = 16,000, random batches, cache {@code data/cache}. */
    public static DataSpec defaults(String data) {
        DataMode mode = DataMode.defaultFor(data);
        return new DataSpec(data, mode, mode.defaultSteps(), BpeTrainer.DEFAULT_VOCAB_SIZE, null, Path.of("data", "cache"), Batching.RANDOM);
    }

    public DataSpec withMode(DataMode m) {
        return new DataSpec(data, m, steps, bpeVocabSize, mergesFile, cacheDir, batching);
    }

    public DataSpec withSteps(int t) {
        return new DataSpec(data, mode, t, bpeVocabSize, mergesFile, cacheDir, batching);
    }

    public DataSpec withBpe(int vocabSize, Path merges) {
        return new DataSpec(data, mode, steps, vocabSize, merges, cacheDir, batching);
    }

    public DataSpec withCacheDir(Path dir) {
        return new DataSpec(data, mode, steps, bpeVocabSize, mergesFile, dir, batching);
    }

    /** How sentence samples are grouped into training batches (read by {@link DataMode#SENTENCES} only). */
    public DataSpec withBatching(Batching b) {
        return new DataSpec(data, mode, steps, bpeVocabSize, mergesFile, cacheDir, b);
    }
}
