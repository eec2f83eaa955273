package dsf4j.config;

/**
 * The recurrent cells: what each one is, said once here and read by every engine and by
 * {@code model.ParamLayout}. PyTorch's equations and gate order for RNN, GRU and LSTM; minGRU as in
 * Feng et al. 2024, "Were RNNs All We Needed?".
 *
 * <p>A cell has G gate blocks of H units. The first R of them ({@link #hiddenGates}) also read the
 * previous hidden state, through weight_hh [R·H, H] and bias_hh [R·H]; R = 0 means the cell has no
 * recurrent weight at all (the state enters the update elementwise only). The layer's state s_t, what
 * DSF's λ acts on, is D = {@link #stateFactor}·H wide.
 *
 * <p><b>How the float32 engines run one step</b> (the fast and cuda engines, one contract):
 * <pre>
 * gi = x_t·W_ihᵀ + b_ih        [rows, G·H]   all T steps at once, bias included
 * gh = h_{t−1}·W_hhᵀ + b_hh    [rows, R·H]   per step, bias included (nothing when R = 0)
 * forward(gi, gh, s_{t−1})  → s_t [rows, D] and the cache [rows, cacheBlocks·H] (the activated gates)
 * backward(δ_t, s_t, s_{t−1}, cache) → dGi = ∂L/∂gi [rows, G·H], dGh = ∂L/∂gh [rows, R·H] (the same
 *     numbers as dGi's first R blocks unless {@link #separateHiddenGradient}), and on request the
 *     direct part of δ_t·J_t, the part that does not go through W_hh (the engine adds dGh·W_hh)
 * </pre>
 * The double-precision reference engine recomputes instead of caching; its cells are the readable
 * versions of the same equations.
 */
public enum CellType {
    /** h' = tanh(gi + gh). Cache: none (the backward reads h' = s_t). Direct part: 0. */
    RNN(1, 1, 1, 0, false),
    /**
     * Gates r, z, n; r multiplies (W_hn·h + b_hn): r = σ(gi_r + gh_r), z = σ(gi_z + gh_z),
     * n = tanh(gi_n + r ⊙ gh_n), h' = (1 − z) ⊙ n + z ⊙ h. Cache [r, z, n, gh_n]; dGh_n = dGi_n ⊙ r.
     * Direct part: δ ⊙ z.
     */
    GRU(3, 1, 3, 4, true),
    /**
     * Gates i, f, g, o of gi + gh; c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'); s = [h, c], D = 2H. Cache
     * [i, f, g, o, tanh c']. Direct part: 0 in the h half, ∂L/∂c' ⊙ f in the c half.
     */
    LSTM(4, 2, 4, 5, false),
    /**
     * Gates z, h̃, neither reading h: z = σ(gi_z), h̃ = gi_h̃, h' = (1 − z) ⊙ h + z ⊙ h̃. No weight_hh or
     * bias_hh. Cache [z, h̃]. Its Jacobian is exactly diagonal, J = diag(1 − z): the direct part,
     * δ ⊙ (1 − z), is all of δ·J.
     */
    MINGRU(2, 1, 0, 2, false);

    /** The {@code --cell} choices, for help texts and error messages (a compile-time constant). */
    public static final String CHOICES = "rnn, gru, lstm or mingru";

    /** G, the gate blocks of weight_ih [G·H, in]. */
    public final int gates;
    /** D / H. */
    public final int stateFactor;
    /** R, the gate blocks that also read h_{t−1} (the first R): weight_hh is [R·H, H]; 0 for none. */
    public final int hiddenGates;
    /** The float32 engines' cache per row, in blocks of H (see the class comment). */
    public final int cacheBlocks;
    /** Whether dGh differs from dGi's first R blocks (only the GRU's n block does). */
    public final boolean separateHiddenGradient;

    CellType(int gates, int stateFactor, int hiddenGates, int cacheBlocks, boolean separateHiddenGradient) {
        this.gates = gates;
        this.stateFactor = stateFactor;
        this.hiddenGates = hiddenGates;
        this.cacheBlocks = cacheBlocks;
        this.separateHiddenGradient = separateHiddenGradient;
    }

    /** D, the width of the state s_t that DSF's λ acts on. */
    public int stateSize(int hidden) {
        return stateFactor * hidden;
    }

    /** Whether the cell has weight_hh and bias_hh. */
    public boolean hasHiddenWeights() {
        return hiddenGates > 0;
    }

    public String id() {
        return name().toLowerCase();
    }

    public static CellType parse(String s) {
        for (CellType c : values()) if (c.id().equalsIgnoreCase(s.trim())) return c;
        throw new IllegalArgumentException("unknown cell '" + s + "': use " + CHOICES);
    }
}
