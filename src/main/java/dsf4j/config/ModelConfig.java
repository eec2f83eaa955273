package dsf4j.config;

/**
 * What the network is: embedding(V, H) → L blocks → head Linear(H → V).
 *
 * @param padId the target id the loss ignores, or -1 when there is none
 */
public record ModelConfig(CellType cell, BlockType block, int layers, int hidden, int vocab, int padId,
                          LambdaInit lambdaInit) {

    public ModelConfig {
        if (cell == null) throw new IllegalArgumentException("cell is missing: use " + CellType.CHOICES);
        if (block == null) throw new IllegalArgumentException("block is missing: use residual or transformer");
        if (lambdaInit == null) throw new IllegalArgumentException("λ initialiser is missing: e.g. linspace:0:1");
        if (layers < 1) throw new IllegalArgumentException("--layers must be at least 1 (got " + layers + ")");
        if (hidden < 1) throw new IllegalArgumentException("--hidden must be at least 1 (got " + hidden + ")");
        if (vocab < 2) throw new IllegalArgumentException("--vocab must be at least 2 (got " + vocab + ")");
        if (padId < -1 || padId >= vocab) {
            throw new IllegalArgumentException("pad id " + padId + " is outside the vocabulary [0, " + vocab + "): use -1 for no padding");
        }
    }

    /** D, the state width of every recurrent layer (2H for the LSTM). */
    public int stateSize() {
        return cell.stateSize(hidden);
    }
}
