package dsf4j.train;

import dsf4j.data.DataMode;
import dsf4j.data.DataSpec;
import dsf4j.data.Dataset;
import dsf4j.data.Datasets;

/**
 * The one place the commands open a corpus: {@code --data ptb|wikitext-2|wikitext-103|DIR} in a
 * {@link DataMode} (the authors': PTB sentences, WikiText 16k BPE blocks), with T = {@code seq}.
 */
public final class TrainData {

    private TrainData() {}

    public static Dataset open(String data, DataMode mode, int seq) {
        return Datasets.open(DataSpec.defaults(data).withMode(mode).withSteps(seq));
    }

    /** The corpus a run was trained on. */
    public static Dataset open(TrainConfig c) {
        return open(c.data(), c.dataMode(), c.seq());
    }
}
