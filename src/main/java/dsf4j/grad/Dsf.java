package dsf4j.grad;

/**
 * Diagonal State Feedbacks (eq. 13): the Jacobian J_{t+1} is replaced by the fixed diagonal
 * Λ = diag(λ), so δ_t = e_t + λ ⊙ δ_{t+1}, i.e. (eq. 14) δ_t = Σ_{k≥0} λ^k ⊙ e_{t+k}.
 * δ is solved for all t at once (no cell involved), then every step's local backward is independent.
 */
public final class Dsf implements GradientMethod {

    private final double[] lambda;    // λ, [D], fixed at init, never trained
    private final DiagonalSolver solver;

    /**
     * @param lambda λ, [D], read only (the array is kept, not copied)
     * @param solver how eq. 13 is solved
     */
    public Dsf(double[] lambda, DiagonalSolver solver) {
        this.lambda = lambda;
        this.solver = solver;
    }

    @Override
    public void backward(double[][] e, LocalBackward local) {
        solver.solve(e, lambda);
        for (int t = 0; t < e.length; t++) local.step(t, e[t], null);
    }
}
