package dsf4j.grad;

import dsf4j.config.DsfSolver;

/**
 * Solves DSF's backward recurrence δ_t = e_t + λ ⊙ δ_{t+1}, δ_{T−1} = e_{T−1} (eq. 13) for every
 * channel at once. A channel is one (batch row b, unit i) pair; it uses λ_i.
 */
public interface DiagonalSolver {

    /**
     * @param x      on entry e_t, on return δ_t, for t = 0 … T−1; each [B·D], channel b·D + i
     * @param lambda λ, [D], read only
     */
    void solve(double[][] x, double[] lambda);

    /** The reference implementation of a solver choice. */
    static DiagonalSolver of(DsfSolver kind) {
        return switch (kind) {
            case SCAN -> new SequentialScan();
            case PREFIX -> new PrefixScan();
            case FFT -> new FftConvolution();
        };
    }
}
