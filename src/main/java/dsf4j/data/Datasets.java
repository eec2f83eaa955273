package dsf4j.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The entry point the trainer calls: a {@link DataSpec} → a {@link Dataset}.
 *
 * <pre>{@code
 * Dataset ptb = Datasets.open(DataSpec.defaults("ptb"));                       // sentences, T = 64, V = 10,002
 * Dataset wt2 = Datasets.open(DataSpec.defaults("wikitext-2"));                // bpe-blocks, T = 255, V = 16,000
 * Dataset s   = Datasets.open(DataSpec.defaults("ptb").withMode(DataMode.STREAM).withSteps(35));
 * for (Batch b : ptb.trainBatches(128, seed, epoch)) { ... }
 * }</pre>
 */
public final class Datasets {

    private Datasets() {}

    /** Finds, verifies and reads the corpus with {@link CorpusLocator#standard()}, then builds the dataset. */
    public static Dataset open(DataSpec spec) {
        return of(CorpusLocator.standard().open(spec.data()), spec);
    }

    /** The dataset of an already read corpus. */
    public static Dataset of(Corpus corpus, DataSpec spec) {
        return switch (spec.mode()) {
            case SENTENCES -> new SentenceDataset(corpus, Vocabulary.build(corpus.text(Split.TRAIN).text()), spec.steps(), spec.batching());
            case STREAM -> new StreamDataset(corpus, Vocabulary.build(corpus.text(Split.TRAIN).text()), spec.steps());
            case WORDS -> {
                Vocabulary vocab = Vocabulary.build(corpus.text(Split.TRAIN).text());
                Map<Split, int[]> ids = new EnumMap<>(Split.class);
                for (Split s : Split.values()) ids.put(s, vocab.encodeLinesWithEos(corpus.text(s)));
                yield new BlockDataset(vocab, ids, spec.steps(), corpus.provenance() + " mode=words T=" + spec.steps() + " V=" + vocab.size());
            }
            case BPE_BLOCKS -> {
                BytePairEncoding bpe = bpe(corpus, spec);
                Map<Split, int[]> ids = new EnumMap<>(Split.class);
                for (Split s : Split.values()) ids.put(s, bpe.encode(corpus.text(s).text()));
                yield new BlockDataset(bpe, ids, spec.steps(), corpus.provenance() + " mode=bpe-blocks T=" + spec.steps() + " V=" + bpe.size());
            }
        };
    }

    /**
     * The BPE of a spec: its merges file when given, else the cached one for (train sha256, V), else one
     * trained on the training split now and saved to the cache (so the next run loads it).
     */
    static BytePairEncoding bpe(Corpus corpus, DataSpec spec) {
        if (spec.mergesFile() != null) return BytePairEncoding.load(spec.mergesFile());
        String sha = corpus.text(Split.TRAIN).sha256();
        Path cached = bpeCachePath(corpus, spec);
        if (Files.isRegularFile(cached)) return BytePairEncoding.load(cached);
        BytePairEncoding bpe = BpeTrainer.train(corpus.text(Split.TRAIN).text(), spec.bpeVocabSize());
        bpe.save(cached, "trained by dsf4j on " + corpus.name() + " train (sha256 " + sha + "), target V = " + spec.bpeVocabSize());
        return bpe;
    }

    /** Where the BPE trained on {@code corpus}'s training split with V = {@code spec.bpeVocabSize()} is cached. */
    public static Path bpeCachePath(Corpus corpus, DataSpec spec) {
        return spec.cacheDir().resolve("bpe-" + corpus.text(Split.TRAIN).sha256().substring(0, 16) + "-" + spec.bpeVocabSize() + ".merges");
    }
}
