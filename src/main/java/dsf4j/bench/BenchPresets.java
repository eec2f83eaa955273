package dsf4j.bench;

import dsf4j.config.CellType;
import dsf4j.config.ModelConfig;
import dsf4j.data.BpeTrainer;
import dsf4j.train.Presets;
import dsf4j.train.TrainConfig;

/**
 * The shapes the {@code bench} command times: the training presets ({@link Presets}) with the
 * vocabulary their corpus gives (PTB: 10,000 words + {@code <pad>}, {@code <bos>}; WikiText: the
 * 16,000-entry BPE), at the preset's batch and T. bench/pytorch_baseline.py uses the same shapes.
 */
public final class BenchPresets {

    /** V of the PTB vocabulary as {@link dsf4j.data.Vocabulary} builds it. */
    public static final int PTB_VOCAB = 10_002;

    private BenchPresets() {}

    /** A model and the batch it is timed on. */
    public record Preset(String name, ModelConfig config, int batch, int steps) {

        /** The same shape with another cell (named e.g. {@code ptb-gru-3l256 --cell lstm}). */
        public Preset withCell(CellType cell) {
            if (cell == config.cell()) return this;
            ModelConfig c = new ModelConfig(cell, config.block(), config.layers(), config.hidden(), config.vocab(), config.padId(), config.lambdaInit());
            return new Preset(name + " --cell " + cell.id(), c, batch, steps);
        }
    }

    public static Preset get(String name) {
        TrainConfig c = Presets.get(name);
        int vocab = c.data().equals("ptb") ? PTB_VOCAB : BpeTrainer.DEFAULT_VOCAB_SIZE;
        return new Preset(name, c.model(vocab, 0), c.batch(), c.seq());
    }

    public static Iterable<String> names() {
        return Presets.names();
    }
}
