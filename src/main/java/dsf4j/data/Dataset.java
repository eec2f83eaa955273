package dsf4j.data;

import dsf4j.model.Batch;

import java.util.List;

/**
 * A tokenized corpus cut into language-model batches: {@code input[b, t]} predicts {@code target[b, t]},
 * targets equal to {@link Tokenizer#padId()} are ignored by the loss. Every recurrent state starts at 0
 * at the start of each batch row (sentence-level PTB, 256-token WikiText blocks), except in the
 * continuous-stream mode, see {@link #carriesState()}.
 */
public interface Dataset {

    Tokenizer tokenizer();

    /** The training split's batches for one epoch, shuffled deterministically from (seed, epoch). */
    List<Batch> trainBatches(int batchSize, long seed, int epoch);

    /** The batches of a split in corpus order (for evaluation: every target counted once). */
    List<Batch> batches(Split split, int batchSize);

    /**
     * True when row b of batch k + 1 continues row b of batch k (the continuous-stream mode), so a trainer may
     * carry each row's final state into the next batch; false (the default) when every row starts from 0.
     * The Dataset itself never holds recurrent state.
     */
    default boolean carriesState() {
        return false;
    }

    /**
     * The ids a text generated without a prompt starts from (read from a zero state): where this dataset's samples
     * start. {@code <bos>} for sentences (PTB); a line break for streams and blocks (WikiText's paragraphs and
     * headings begin after one), as the tokenizer writes it.
     *
     * @throws IllegalArgumentException when the dataset has no such point (then a prompt is needed)
     */
    default int[] startOfText() {
        throw new IllegalArgumentException("this data has no start of text to generate from: give --prompt");
    }

    /** One line naming the corpus, its mode and the sha256 of each file read, for checkpoints and logs. */
    String provenance();
}
