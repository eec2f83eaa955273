package dsf4j.grad;

import dsf4j.config.Method;

/**
 * How the gradient crosses time inside one recurrent layer: turns e_t = ∂L/∂s_t (what reaches s_t
 * from everything but s_{t+1}) into δ_t and has every δ_t taken through the cell's local derivatives,
 * by asking the layer for what the method needs ({@link RecurrentBackward}). One instance serves every
 * engine and every layer: a method holds no state (λ and the solver belong to the layer).
 *
 * <p>Adding a method: one class here, one {@link Method} constant, one line in {@link #of}; a method that
 * needs something the layers do not offer yet adds it to {@link RecurrentBackward}, implemented once per engine.
 */
public interface GradientMethod {

    /** Runs the backward of one layer whose e_t the layer holds. */
    void backward(RecurrentBackward layer);

    /** The method named by {@code method}: the one place that maps method names to classes. */
    static GradientMethod of(Method method) {
        return switch (method) {
            case BPTT -> Bptt.INSTANCE;
            case FTBPTT -> FtBptt.INSTANCE;
            case DSF -> Dsf.INSTANCE;
        };
    }
}
