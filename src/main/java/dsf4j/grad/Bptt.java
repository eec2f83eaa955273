package dsf4j.grad;

/**
 * Exact backpropagation through time (eq. 11): δ_{T−1} = e_{T−1}, δ_t = e_t + δ_{t+1} J_{t+1}, the dense
 * Jacobian product of every step, one step after another from the last to the first.
 */
public final class Bptt implements GradientMethod {

    static final Bptt INSTANCE = new Bptt();

    @Override
    public void backward(RecurrentBackward layer) {
        layer.exactSteps(0, layer.steps());      // eq. 11 over the whole sequence
    }
}
