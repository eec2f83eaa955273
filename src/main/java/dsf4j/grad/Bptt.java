package dsf4j.grad;

/**
 * Exact backpropagation through time (eq. 11): δ_{T} = e_{T}, δ_t = e_t + δ_{t+1} J_{t+1}.
 * The product δ_{t+1} J_{t+1} is what step t+1's local backward returns as dPrev, so the steps must
 * run one after another from the last to the first.
 */
public final class Bptt implements GradientMethod {

    @Override
    public void backward(double[][] e, LocalBackward local) {
        int steps = e.length;
        double[] carry = new double[e[0].length];   // δ_{t+1} J_{t+1}, [B·D]
        for (int t = steps - 1; t >= 0; t--) {
            double[] delta = e[t];
            if (t < steps - 1) {
                for (int c = 0; c < delta.length; c++) delta[c] += carry[c];
            }
            local.step(t, delta, t > 0 ? carry : null);
        }
    }
}
