package dsf4j.grad;

/**
 * {@link RecurrentBackward} on double arrays, one step at a time, written as the equations read: the
 * reference engine's. The layer's cell is reached through its per-step {@link LocalBackward}.
 */
public final class StepwiseBackward implements RecurrentBackward {

    private final double[][] delta;          // e_t, then δ_t, T × [B·D] (the caller's arrays, overwritten)
    private final LocalBackward local;
    private final double[] lambda;           // λ, [D] (solveDiagonal only)
    private final DiagonalSolver solver;     // (solveDiagonal only)

    /**
     * @param e      e_t for t = 0 … T−1, each [B·D]; overwritten with δ_t
     * @param local  the layer's per-step local backward
     * @param lambda the layer's λ, [D], read only; may be null when no method solves eq. 13
     * @param solver how eq. 13 is solved; may be null likewise
     */
    public StepwiseBackward(double[][] e, LocalBackward local, double[] lambda, DiagonalSolver solver) {
        this.delta = e;
        this.local = local;
        this.lambda = lambda;
        this.solver = solver;
    }

    @Override
    public int steps() {
        return delta.length;
    }

    @Override
    public void localSteps(int from, int to) {
        for (int t = from; t < to; t++) local.step(t, delta[t], null);
    }

    @Override
    public void exactSteps(int from, int to) {
        double[] carry = new double[delta[0].length];     // δ_{t+1} J_{t+1}, [B·D]
        for (int t = to - 1; t >= from; t--) {
            if (t < to - 1) {
                for (int c = 0; c < carry.length; c++) delta[t][c] += carry[c];   // δ_t = e_t + δ_{t+1} J_{t+1}
            }
            local.step(t, delta[t], t > from ? carry : null);                     // carry = δ_t J_t
        }
    }

    @Override
    public void solveDiagonal() {
        if (lambda == null || solver == null) throw new IllegalStateException("this layer was given no λ or DSF solver");
        solver.solve(delta, lambda);
    }
}
