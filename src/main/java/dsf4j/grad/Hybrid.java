package dsf4j.grad;

/**
 * Exact BPTT inside windows of K steps, DSF across them. With δ^DSF the solution of eq. 13 for every
 * step, each window [cK, min(cK + K, T)) runs eq. 11 from its last step down:
 * <pre>
 * δ_end = e_end + λ ⊙ δ^DSF_{end+1}   (= δ^DSF_end; at end = T − 1 simply e_{T−1})
 * δ_t   = e_t + δ_{t+1} J_{t+1}         for t = end − 1 down to cK
 * </pre>
 * and no Jacobian product leaves the window (δ_cK·J_cK is not formed). The windows are independent once
 * δ^DSF is known: sequential depth K, Jacobian products T − ⌈T/K⌉. K = 1 is DSF (every step is a
 * window's end), K ≥ T is BPTT (one window, nothing to solve).
 */
public final class Hybrid implements GradientMethod {

    private final int window;

    /** @param window K ≥ 1 */
    public Hybrid(int window) {
        if (window < 1) throw new IllegalArgumentException("a hybrid window must be at least 1 step (got " + window + ")");
        this.window = window;
    }

    @Override
    public void backward(RecurrentBackward layer) {
        int k = Math.min(window, layer.steps());
        if (k < layer.steps()) layer.solveDiagonal(k);   // δ^DSF at the windows' ends, e_t inside them
        layer.exactWindows(k);                            // eq. 11 inside each window
    }
}
