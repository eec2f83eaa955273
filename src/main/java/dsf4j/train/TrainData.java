package dsf4j.train;

import dsf4j.data.Batching;
import dsf4j.data.CorpusLocator;
import dsf4j.data.DataMode;
import dsf4j.data.DataSpec;
import dsf4j.data.Dataset;
import dsf4j.data.Datasets;

/**
 * The one place the commands open a corpus: {@code --data ptb|wikitext-2|wikitext-103|DIR} in a
 * {@link DataMode} (the authors': PTB sentences, WikiText 16k BPE blocks), with T = {@code seq}. A known
 * corpus not on the machine is downloaded first ({@link CorpusLocator}), unless {@code offline}.
 */
public final class TrainData {

    private TrainData() {}

    public static Dataset open(String data, DataMode mode, int seq) {
        return open(data, mode, seq, Batching.RANDOM);
    }

    public static Dataset open(String data, DataMode mode, int seq, Batching batching) {
        return open(data, mode, seq, batching, false);
    }

    /** @param offline never download (a corpus not found is then an error); {@code DSF4J_OFFLINE=1} does the same */
    public static Dataset open(String data, DataMode mode, int seq, Batching batching, boolean offline) {
        return Datasets.open(spec(data, mode, seq, batching), CorpusLocator.standard(offline));
    }

    /** The corpus a run was trained on, batched as it was. */
    public static Dataset open(TrainConfig c) {
        return open(c, false);
    }

    /** The corpus a run was trained on, batched as it was; {@code offline}: never download it. */
    public static Dataset open(TrainConfig c, boolean offline) {
        return open(c.data(), c.dataMode(), c.seq(), c.batching(), offline);
    }

    /** What {@link #open} builds, for {@code data} in a run's mode, T and batching. */
    public static DataSpec spec(String data, DataMode mode, int seq, Batching batching) {
        return DataSpec.defaults(data).withMode(mode).withSteps(seq).withBatching(batching);
    }
}
