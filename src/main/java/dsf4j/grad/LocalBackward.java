package dsf4j.grad;

/**
 * One recurrent layer as a gradient method sees it: the local derivative of s_t = f(s_{t-1}, x_t; θ)
 * at each step t, with the true s_{t-1} held fixed (the paper's ∂h_t/∂θ of eq. 12).
 */
public interface LocalBackward {

    /**
     * Back-propagates δ_t through step t's cell only.
     * <ul>
     * <li>dL/dθ += δ_t · ∂f/∂θ(s_{t-1}, x_t) into the layer's parameter gradients;</li>
     * <li>dL/dx_t = δ_t · ∂f/∂x(s_{t-1}, x_t) is written to the layer's input gradient;</li>
     * <li>if {@code dPrev} is not null, it is overwritten with δ_t · J_t, J_t = ∂s_t/∂s_{t-1}.</li>
     * </ul>
     *
     * @param t     step, 0 … T−1
     * @param delta δ_t, [B·D] (batch-major rows of width D), read only
     * @param dPrev output, [B·D], or null when the method does not need it
     */
    void step(int t, double[] delta, double[] dPrev);
}
