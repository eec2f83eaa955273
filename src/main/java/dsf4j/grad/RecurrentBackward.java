package dsf4j.grad;

/**
 * One recurrent layer's backward, as a {@link GradientMethod} drives it. The layer holds e_t = ∂L/∂s_t,
 * the gradient reaching s_t from everything but s_{t+1}, for t = 0 … T−1, and turns it into δ_t in
 * place. It offers the three things the paper's methods are made of; a method asks for what it needs
 * (Jacobian products, a diagonal solve, or nothing) and never learns how the layer computes them.
 * Each engine implements this once, in its own precision and place: {@link StepwiseBackward} (the
 * reference engine, double precision, one step at a time), the fast engine's recurrent layer (float32,
 * parallel over rows or steps), the cuda engine's (kernels on a stream).
 *
 * <p>In every method the weight and input gradients are the local ones of eq. 12, at the true s_{t−1}:
 * dL/dθ += δ_t · ∂f/∂θ(s_{t−1}, x_t) and dL/dx_t = δ_t · ∂f/∂x(s_{t−1}, x_t).
 */
public interface RecurrentBackward {

    /** T, the number of steps. */
    int steps();

    /**
     * eq. 12 for the steps [from, to), with δ_t as the layer holds it. No Jacobian product is formed;
     * the steps are independent of each other, so an engine may run them all at once.
     */
    void localSteps(int from, int to);

    /**
     * eq. 11 inside the window [from, to): δ_{to−1} is what the layer holds, and for t = to−2 down to
     * from, δ_t = e_t + δ_{t+1}·J_{t+1} with J_{t+1} = ∂s_{t+1}/∂s_t, each step's local backward (eq. 12)
     * forming δ_t·J_t for the step below it. Nothing leaves the window: δ_from·J_from is not formed.
     * The steps depend on each other and run one after another.
     */
    void exactSteps(int from, int to);

    /**
     * eq. 13 for every step at once, in place: δ_{T−1} = e_{T−1}, δ_t = e_t + λ ⊙ δ_{t+1}, with the
     * layer's λ and the solver the engine was built with ({@code --dsf-solver}). No cell is involved.
     */
    void solveDiagonal();
}
