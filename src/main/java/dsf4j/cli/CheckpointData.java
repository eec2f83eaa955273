package dsf4j.cli;

import dsf4j.data.Corpus;
import dsf4j.data.CorpusLocator;
import dsf4j.data.Dataset;
import dsf4j.data.Datasets;
import dsf4j.data.Split;
import dsf4j.data.Tokenizer;
import dsf4j.data.Vocabulary;
import dsf4j.train.Checkpoint;
import dsf4j.train.TrainConfig;
import dsf4j.train.TrainData;

import java.util.Locale;

/** The data a checkpoint was trained on, checked against its model's vocabulary; another corpus read with that vocabulary. */
final class CheckpointData {

    /**
     * Above this share of words outside a checkpoint's vocabulary, its tokenizer does not apply to a corpus (the
     * text is not tokenized like the training data: another language, another case or number convention). PTB's
     * vocabulary leaves 36% of WikiText-2's test words unknown: that is still scored, with a note.
     */
    static final double MAX_UNKNOWN = 0.5;

    private CheckpointData() {}

    /** @param offline never download the corpus (a corpus not on this machine is then an error) */
    static Dataset open(Checkpoint c, boolean offline) {
        Dataset d = TrainData.open(c.train(), offline);
        Tokenizer tok = d.tokenizer();
        if (tok.size() != c.model().vocab() || tok.padId() != c.model().padId()) {
            throw new IllegalArgumentException("the data " + c.train().data() + " now has a vocabulary of " + tok.size() + " (pad " + tok.padId()
                    + ") but the checkpoint's model has " + c.model().vocab() + " (pad " + c.model().padId() + "): use the data the model was trained on");
        }
        return d;
    }

    /**
     * Corpus {@code data} (a known name or a folder) in the checkpoint's data mode and T, tokenized with the tokenizer
     * of the checkpoint's own data ({@link #open}); words outside its vocabulary become {@code <unk>}, and their share
     * of {@code split} is noted on stderr.
     *
     * @throws IllegalArgumentException when more than {@link #MAX_UNKNOWN} of the split's words are outside the vocabulary
     */
    static Dataset other(Checkpoint c, Dataset trained, String data, Split split, boolean offline) {
        TrainConfig t = c.train();
        Corpus corpus = CorpusLocator.standard(offline).open(data);
        Tokenizer tok = trained.tokenizer();
        if (tok instanceof Vocabulary v) {
            double unknown = v.unknownShare(corpus.text(split).text());
            String share = String.format(Locale.ROOT, "%.1f%% of the words of %s %s are outside the checkpoint's vocabulary of %,d words (from %s)",
                    100 * unknown, data, split.id(), v.size(), t.data());
            if (unknown > MAX_UNKNOWN) {
                throw new IllegalArgumentException(share + ": its tokenizer does not apply to this text (tokenized differently, or another language); "
                        + "evaluate on text tokenized like " + t.data() + ", or train on this corpus");
            }
            if (unknown > 0) System.err.println("dsf4j: " + share + "; they are scored as <unk>");
        }
        return Datasets.of(corpus, TrainData.spec(data, t.dataMode(), t.seq(), t.batching()), tok);
    }
}
