package dsf4j.train;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The paper's configurations, with the authors' hyperparameters (see PAPER.md), each overridable
 * by the flags of {@code train}. Every preset trains with DSF, λ = linspace:0:1, seed 1.
 * <ul>
 * <li>{@code quickstart}: {@code ptb-gru-1l256} for two epochs at a constant rate, {@code ./run.sh}'s default job.</li>
 * <li>PTB ({@code ptb-gru-{1,3}l{256,1024}}): residual blocks, T = 64, batch 128, 30 epochs, Adam
 *     lr 1e-3 with L2 1e-4, StepLR ×0.1 at epochs 10 and 20.</li>
 * <li>WikiText-103 ({@code wt103-…}) and the same shapes on WikiText-2 ({@code wt2-…}):
 *     transformer-like blocks, T = 255, batch 128, 5 epochs, Adam lr 1e-3, no weight decay,
 *     10% warm-up then cosine to 0.1·lr. The vanilla RNN: lr 5e-4, gradient norm clipped at 1.</li>
 * </ul>
 */
public final class Presets {

    public static final String DEFAULT = "ptb-gru-1l256";

    /**
     * What {@code ./run.sh} with no arguments trains: PTB, GRU 1L256, DSF, two epochs at a constant
     * learning rate (a few minutes on two cores), validating ten times.
     */
    public static final String QUICKSTART = "quickstart";

    private static final Map<String, TrainConfig> ALL = new LinkedHashMap<>();

    static {
        for (int layers : new int[] {1, 3}) {
            for (int hidden : new int[] {256, 1024}) {
                add("ptb-gru-" + layers + "l" + hidden, ptb(layers, hidden));
            }
        }
        TrainConfig p = ptb(1, 256);
        add(QUICKSTART, new TrainConfig(p.data(), p.cell(), p.block(), p.layers(), p.hidden(), p.lambdaInit(), p.method(), p.dsfSolver(),
                p.seq(), p.batch(), 2, 0, p.lr(), p.optimizer(), p.weightDecay(), "const", p.clip(), p.seed(), p.threads(), 66, p.engine()));
        for (String corpus : new String[] {"wt103", "wt2"}) {
            String data = corpus.equals("wt103") ? "wikitext-103" : "wikitext-2";
            for (int layers : new int[] {1, 3, 6, 12}) add(corpus + "-gru-" + layers + "l512", wiki(data, CellType.GRU, layers, 512, 1e-3, 0));
            for (int hidden : new int[] {128, 256, 1024}) add(corpus + "-gru-3l" + hidden, wiki(data, CellType.GRU, 3, hidden, 1e-3, 0));
            add(corpus + "-rnn-3l512", wiki(data, CellType.RNN, 3, 512, 5e-4, 1.0));
            add(corpus + "-lstm-3l512", wiki(data, CellType.LSTM, 3, 512, 1e-3, 0));
        }
    }

    private Presets() {}

    private static void add(String name, TrainConfig c) {
        ALL.put(name, c);
    }

    private static TrainConfig ptb(int layers, int hidden) {
        return new TrainConfig("ptb", CellType.GRU, BlockType.RESIDUAL, layers, hidden, LambdaInit.DEFAULT, Method.DSF, DsfSolver.SCAN,
                64, 128, 30, 0, 1e-3, OptimizerKind.ADAM, 1e-4, "step:10,20:0.1", 0, 1, defaultThreads(), 0, "fast");
    }

    private static TrainConfig wiki(String data, CellType cell, int layers, int hidden, double lr, double clip) {
        return new TrainConfig(data, cell, BlockType.TRANSFORMER, layers, hidden, LambdaInit.DEFAULT, Method.DSF, DsfSolver.SCAN,
                255, 128, 5, 0, lr, OptimizerKind.ADAM, 0, "cosine:0.1:0.1", clip, 1, defaultThreads(), 0, "fast");
    }

    private static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public static Set<String> names() {
        return ALL.keySet();
    }

    public static TrainConfig get(String name) {
        TrainConfig c = ALL.get(name.toLowerCase());
        if (c == null) throw new IllegalArgumentException("unknown preset '" + name + "': use one of " + String.join(", ", ALL.keySet()));
        return c;
    }
}
