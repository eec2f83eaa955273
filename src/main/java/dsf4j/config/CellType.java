package dsf4j.config;

/**
 * The recurrent cells, with PyTorch's equations and gate order.
 *
 * <p>{@code gates} is G in the weight shapes [G·H, in]; {@code stateFactor} says how wide the layer's
 * state (and output) is: D = stateFactor·H. The LSTM's layer output is concat(h, c), so D = 2H.
 */
public enum CellType {
    /** h' = tanh(W_ih x + b_ih + W_hh h + b_hh). */
    RNN(1, 1),
    /** Gates r, z, n; r multiplies (W_hn h + b_hn). */
    GRU(3, 1),
    /** Gates i, f, g, o; state [h, c]. */
    LSTM(4, 2);

    public final int gates;
    public final int stateFactor;

    CellType(int gates, int stateFactor) {
        this.gates = gates;
        this.stateFactor = stateFactor;
    }

    /** D, the width of the state s_t that DSF's λ acts on. */
    public int stateSize(int hidden) {
        return stateFactor * hidden;
    }

    public String id() {
        return name().toLowerCase();
    }

    public static CellType parse(String s) {
        for (CellType c : values()) if (c.id().equalsIgnoreCase(s.trim())) return c;
        throw new IllegalArgumentException("unknown cell '" + s + "': use rnn, gru or lstm");
    }
}
