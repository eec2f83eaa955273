package dsf4j.grad;

/**
 * Diagonal State Feedbacks (eq. 13): the Jacobian J_{t+1} is replaced by the fixed diagonal
 * Λ = diag(λ), so δ_t = e_t + λ ⊙ δ_{t+1}, i.e. (eq. 14) δ_t = Σ_{k≥0} λ^k ⊙ e_{t+k}.
 * δ is solved for all t at once (no cell involved), then every step's local backward is independent.
 */
public final class Dsf implements GradientMethod {

    static final Dsf INSTANCE = new Dsf();

    @Override
    public void backward(RecurrentBackward layer) {
        layer.solveDiagonal();                   // eq. 13 with the layer's λ
        layer.localSteps(0, layer.steps());      // eq. 12, every step at once
    }
}
