package dsf4j.grad;

import dsf4j.config.Method;

/**
 * How the gradient crosses time inside one recurrent layer: turns e_t = ∂L/∂s_t (what reaches s_t
 * from everything but s_{t+1}) into δ_t, and hands every δ_t to the layer's local backward.
 */
public interface GradientMethod {

    /**
     * @param e     e_t for t = 0 … T−1, each [B·D]; overwritten (it holds δ when this returns)
     * @param local the layer's per-step local backward
     */
    void backward(double[][] e, LocalBackward local);

    /**
     * The method for one layer.
     *
     * @param lambda that layer's λ, [D] (used by DSF only)
     * @param solver how DSF solves eq. 13 (used by DSF only)
     */
    static GradientMethod of(Method method, double[] lambda, DiagonalSolver solver) {
        return switch (method) {
            case BPTT -> new Bptt();
            case FTBPTT -> new FtBptt();
            case DSF -> new Dsf(lambda, solver);
        };
    }
}
