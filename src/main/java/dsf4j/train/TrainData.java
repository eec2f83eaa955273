package dsf4j.train;

import dsf4j.data.DataSpec;
import dsf4j.data.Dataset;
import dsf4j.data.Datasets;

/**
 * The one place the commands open a corpus: {@code --data ptb|wikitext-2|wikitext-103|DIR} in the
 * authors' mode for it (PTB sentences, WikiText 16k BPE blocks), with T = {@code seq}.
 */
public final class TrainData {

    private TrainData() {}

    public static Dataset open(String data, int seq) {
        return Datasets.open(DataSpec.defaults(data).withSteps(seq));
    }
}
