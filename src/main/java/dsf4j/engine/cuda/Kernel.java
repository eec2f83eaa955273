package dsf4j.engine.cuda;

import dsf4j.config.CellType;

/**
 * Every kernel in {@code src/main/resources/dsf4j/cuda/*.cu}, with its argument signature: one letter
 * per parameter, p = device pointer (or null), i = int, f = float. {@link Gpu#launch} checks the
 * arguments against it, and the tests check it against the source and against nvcc's PTX, so a
 * kernel and its launches cannot drift apart silently.
 *
 * <p>A cell's kernel pair (the float32 contract of {@link CellType}) is registered here with the cell:
 * symbols {@code <cell>_forward} and {@code <cell>_backward} in {@code cell_<cell>.cu}, one signature
 * for every cell.
 */
public enum Kernel {
    RNN_FORWARD(CellType.RNN, true),
    RNN_BACKWARD(CellType.RNN, false),
    GRU_FORWARD(CellType.GRU, true),
    GRU_BACKWARD(CellType.GRU, false),
    LSTM_FORWARD(CellType.LSTM, true),
    LSTM_BACKWARD(CellType.LSTM, false),
    MINGRU_FORWARD(CellType.MINGRU, true),
    MINGRU_BACKWARD(CellType.MINGRU, false),
    DSF_SCAN("dsf_scan", "ppiii"),
    EMBEDDING_FORWARD("embedding_forward", "pppii"),
    EMBEDDING_BACKWARD("embedding_backward", "pppii"),
    ADD_RESIDUAL("add_residual", "ppppii"),
    COLUMN_SUMS("column_sums", "ppiiii"),
    LAYER_NORM_FORWARD("layer_norm_forward", "pppppii"),
    LAYER_NORM_BACKWARD("layer_norm_backward", "ppppppiii"),
    GELU_FORWARD("gelu_forward", "ppii"),
    GELU_BACKWARD("gelu_backward", "ppii"),
    CROSS_ENTROPY("cross_entropy", "pppppiiii"),
    SUM_SQUARES("sum_squares", "ppi"),
    ADAM("adam", "ppppppi");

    /** A cell's forward: (gi, gh, s_{t−1}, s_t, cache, rows, H). */
    static final String CELL_FORWARD = "pppppii";
    /** A cell's local backward: (δ, s_t, s_{t−1}, cache, dgi, dgh, e_{t−1} or null, rows, H). */
    static final String CELL_BACKWARD = "pppppppii";

    /** The extern "C" name in the source. */
    public final String symbol;
    /** One letter per parameter: p pointer, i int, f float. */
    public final String signature;
    /** The cell whose kernel this is, or null. */
    final CellType cell;

    Kernel(String symbol, String signature) {
        this.symbol = symbol;
        this.signature = signature;
        this.cell = null;
    }

    Kernel(CellType cell, boolean forward) {
        this.symbol = cell.id() + (forward ? "_forward" : "_backward");
        this.signature = forward ? CELL_FORWARD : CELL_BACKWARD;
        this.cell = cell;
    }

    /** The source file of a cell's kernels. */
    static String cellFile(CellType cell) {
        return "cell_" + cell.id() + ".cu";
    }

    /** The forward kernel of {@code cell}. */
    static Kernel forward(CellType cell) {
        return ofCell(cell, CELL_FORWARD);
    }

    /** The local backward kernel of {@code cell}. */
    static Kernel backward(CellType cell) {
        return ofCell(cell, CELL_BACKWARD);
    }

    private static Kernel ofCell(CellType cell, String signature) {
        for (Kernel k : values()) if (k.cell == cell && k.signature.equals(signature)) return k;
        throw new IllegalArgumentException("the cuda engine has no kernels for --cell " + cell.id() + " yet: use --engine fast or reference");
    }
}
