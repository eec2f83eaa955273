package dsf4j.train;

import dsf4j.data.Batching;
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
        return open(data, mode, seq, Batching.RANDOM);
    }

    public static Dataset open(String data, DataMode mode, int seq, Batching batching) {
        return Datasets.open(DataSpec.defaults(data).withMode(mode).withSteps(seq).withBatching(batching));
    }

    /** The corpus a run was trained on, batched as it was. */
    public static Dataset open(TrainConfig c) {
        return open(c.data(), c.dataMode(), c.seq(), c.batching());
    }
}
