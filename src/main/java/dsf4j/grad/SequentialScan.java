package dsf4j.grad;

/** eq. 13 as written: one sweep from t = T−1 down to 0. O(T·D) work, T dependent steps. */
public final class SequentialScan implements DiagonalSolver {

    @Override
    public void solve(double[][] x, double[] lambda) {
        int d = lambda.length;
        for (int t = x.length - 2; t >= 0; t--) {
            double[] now = x[t], next = x[t + 1];
            for (int c = 0; c < now.length; c++) {
                now[c] += lambda[c % d] * next[c];     // δ_t = e_t + λ ⊙ δ_{t+1}
            }
        }
    }
}
