package dsf4j.cli;

import dsf4j.data.Dataset;
import dsf4j.data.Tokenizer;
import dsf4j.train.Checkpoint;
import dsf4j.train.TrainData;

/** The data a checkpoint was trained on, checked against its model's vocabulary. */
final class CheckpointData {

    private CheckpointData() {}

    static Dataset open(Checkpoint c) {
        Dataset d = TrainData.open(c.train().data(), c.train().seq());
        Tokenizer tok = d.tokenizer();
        if (tok.size() != c.model().vocab() || tok.padId() != c.model().padId()) {
            throw new IllegalArgumentException("the data " + c.train().data() + " now has a vocabulary of " + tok.size() + " (pad " + tok.padId()
                    + ") but the checkpoint's model has " + c.model().vocab() + " (pad " + c.model().padId() + "): use the data the model was trained on");
        }
        return d;
    }
}
