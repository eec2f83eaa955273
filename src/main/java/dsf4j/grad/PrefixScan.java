package dsf4j.grad;

/**
 * eq. 13 as a parallel prefix scan (Hillis–Steele). Read time backwards, s = T−1−t: then
 * y_s = λ·y_{s−1} + e_{T−1−s} with y_{−1} = 0, and each step is the affine map y ↦ a·y + b with
 * (a, b) = (λ, e). Composing "first (a, b), then (a', b')" gives (a·a', a'·b + b'), which is
 * associative, so the prefix compositions P_s = (a_0, b_0) ∘ … ∘ (a_s, b_s) can be formed in
 * ⌈log₂ T⌉ rounds, each round combining element s with element s − 2^r. Then δ_{T−1−s} = P_s.b.
 * Work O(T·D·log T); within a round every s is independent (what a GPU or many cores exploit).
 */
public final class PrefixScan implements DiagonalSolver {

    @Override
    public void solve(double[][] x, double[] lambda) {
        int steps = x.length, n = x[0].length, d = lambda.length;
        for (int c = 0; c < n; c++) {
            double[] a = new double[steps], b = new double[steps];   // pair s, s = T−1−t
            for (int s = 0; s < steps; s++) {
                a[s] = lambda[c % d];
                b[s] = x[steps - 1 - s][c];
            }
            for (int offset = 1; offset < steps; offset *= 2) {
                double[] a2 = a.clone(), b2 = b.clone();           // one round reads the old values only
                for (int s = offset; s < steps; s++) {
                    // (a[s−offset], b[s−offset]) first, then (a[s], b[s])
                    a2[s] = a[s - offset] * a[s];
                    b2[s] = a[s] * b[s - offset] + b[s];
                }
                a = a2;
                b = b2;
            }
            for (int s = 0; s < steps; s++) x[steps - 1 - s][c] = b[s];
        }
    }
}
