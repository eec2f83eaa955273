package dsf4j.grad;

/**
 * Fully truncated BPTT: δ_t = e_t, no gradient crosses time (DSF with λ = 0). Every step is
 * independent of the others.
 */
public final class FtBptt implements GradientMethod {

    static final FtBptt INSTANCE = new FtBptt();

    @Override
    public void backward(RecurrentBackward layer) {
        layer.localSteps(0, layer.steps());      // δ_t = e_t: nothing to solve
    }
}
