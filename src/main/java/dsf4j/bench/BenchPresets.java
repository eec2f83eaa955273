package dsf4j.bench;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shapes the {@code bench} command times: the paper's PTB and WikiText-103 models (PAPER.md), the
 * same names and shapes as bench/pytorch_baseline.py. Benchmark shapes only; training presets live
 * with the trainer.
 */
public final class BenchPresets {

    private BenchPresets() {}

    /** A model and the batch it is timed on. */
    public record Preset(String name, ModelConfig config, int batch, int steps) {}

    private static final Map<String, Preset> PRESETS = new LinkedHashMap<>();

    static {
        add("ptb-gru-1l256", CellType.GRU, BlockType.RESIDUAL, 1, 256, 10002, 64);
        add("ptb-gru-3l256", CellType.GRU, BlockType.RESIDUAL, 3, 256, 10002, 64);
        add("ptb-gru-3l1024", CellType.GRU, BlockType.RESIDUAL, 3, 1024, 10002, 64);
        add("wt103-gru-3l512", CellType.GRU, BlockType.TRANSFORMER, 3, 512, 16000, 255);
        add("wt103-lstm-3l512", CellType.LSTM, BlockType.TRANSFORMER, 3, 512, 16000, 255);
        add("wt103-rnn-3l512", CellType.RNN, BlockType.TRANSFORMER, 3, 512, 16000, 255);
    }

    private static void add(String name, CellType cell, BlockType block, int layers, int hidden, int vocab, int steps) {
        PRESETS.put(name, new Preset(name, new ModelConfig(cell, block, layers, hidden, vocab, 0, LambdaInit.DEFAULT), 128, steps));
    }

    public static Preset get(String name) {
        Preset p = PRESETS.get(name);
        if (p == null) throw new IllegalArgumentException("unknown preset '" + name + "': use one of " + String.join(", ", PRESETS.keySet()));
        return p;
    }

    public static Iterable<String> names() {
        return PRESETS.keySet();
    }
}
