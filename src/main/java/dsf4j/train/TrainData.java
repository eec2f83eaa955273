package dsf4j.train;

import dsf4j.data.Dataset;

/**
 * The one place the commands open a corpus: {@code --data ptb|wikitext-2|wikitext-103|DIR} with
 * sequence length {@code seq}. The readers live in {@code dsf4j.data}.
 */
public final class TrainData {

    private TrainData() {}

    public static Dataset open(String data, int seq) {
        throw new IllegalArgumentException("cannot open --data " + data + ": the corpus readers (package dsf4j.data) are not in this build yet; "
                + "train from Java with your own dsf4j.data.Dataset until they land");
    }
}
