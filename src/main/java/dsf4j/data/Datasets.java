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
        return open(spec, CorpusLocator.standard());
    }

    /** Finds (or downloads), verifies and reads the corpus with {@code locator}, then builds the dataset. */
    public static Dataset open(DataSpec spec, CorpusLocator locator) {
        return of(locator.open(spec.data()), spec);
    }

    /** The dataset of an already read corpus, with the tokenizer its training split gives ({@link #tokenizer}). */
    public static Dataset of(Corpus corpus, DataSpec spec) {
        return of(corpus, spec, tokenizer(corpus, spec));
    }

    /** What {@code spec}'s mode tokenizes {@code corpus} with: a BPE (bpe-blocks), else the training split's word vocabulary. */
    public static Tokenizer tokenizer(Corpus corpus, DataSpec spec) {
        return spec.mode() == DataMode.BPE_BLOCKS ? bpe(corpus, spec) : Vocabulary.build(corpus.text(Split.TRAIN).text());
    }

    /**
     * The dataset of {@code corpus} in {@code spec}'s mode, tokenized with {@code tokenizer}, which may come from
     * another corpus (a checkpoint's: a word outside its vocabulary becomes {@code <unk>}).
     *
     * @throws IllegalArgumentException when a word mode is given a tokenizer that is not a word vocabulary
     */
    public static Dataset of(Corpus corpus, DataSpec spec, Tokenizer tokenizer) {
        if (spec.mode() != DataMode.BPE_BLOCKS && !(tokenizer instanceof Vocabulary)) {
            throw new IllegalArgumentException("data mode " + spec.mode().id() + " needs a word vocabulary, not a " + tokenizer.getClass().getSimpleName()
                    + ": use the mode the tokenizer was made for");
        }
        return switch (spec.mode()) {
            case SENTENCES -> new SentenceDataset(corpus, (Vocabulary) tokenizer, spec.steps(), spec.batching());
            case STREAM -> new StreamDataset(corpus, (Vocabulary) tokenizer, spec.steps());
            case WORDS -> {
                Vocabulary vocab = (Vocabulary) tokenizer;
                Map<Split, int[]> ids = new EnumMap<>(Split.class);
                for (Split s : Split.values()) ids.put(s, vocab.encodeLinesWithEos(corpus.text(s)));
                yield new BlockDataset(vocab, ids, spec.steps(), corpus.provenance() + " mode=words T=" + spec.steps() + " V=" + vocab.size());
            }
            case BPE_BLOCKS -> {
                Map<Split, int[]> ids = new EnumMap<>(Split.class);
                for (Split s : Split.values()) ids.put(s, tokenizer.encode(corpus.text(s).text()));
                yield new BlockDataset(tokenizer, ids, spec.steps(), corpus.provenance() + " mode=bpe-blocks T=" + spec.steps() + " V=" + tokenizer.size());
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
