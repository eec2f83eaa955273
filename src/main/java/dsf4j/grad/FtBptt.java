package dsf4j.grad;

/**
 * Fully truncated BPTT: δ_t = e_t, no gradient crosses time (DSF with λ = 0). Every step is
 * independent of the others.
 */
public final class FtBptt implements GradientMethod {

    @Override
    public void backward(double[][] e, LocalBackward local) {
        for (int t = 0; t < e.length; t++) local.step(t, e[t], null);
    }
}
