package dsf4j.train;

import dsf4j.config.Method;
import dsf4j.engine.Engine;
import dsf4j.engine.GradientAgreement;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;

import java.util.List;

/**
 * Alignment over training ({@code --log-alignment N}): on the batch of the first step and of every N-th
 * step, before its update, the run's method's gradient against BPTT's, the exact one, per group of
 * tensors top down ({@link GradientAgreement}: cosine and norm ratio, the {@code grads} measurement).
 * Two extra loss-and-gradient passes on those steps only (one when the method is BPTT); the trainer
 * leaves their time out of tokens/s. Gradient buffers are allocated at the first measurement.
 */
final class GradientAlignment {

    private final Engine engine;
    private final Method method;
    private final int layers, every;
    private Parameters exact, approx;   // BPTT's and the method's gradient, as params

    GradientAlignment(Engine engine, Method method, int layers, int every) {
        this.engine = engine;
        this.method = method;
        this.layers = layers;
        this.every = every;
    }

    /** Whether step {@code step} (1-based: the update about to be made) is measured. */
    boolean due(long step) {
        return every > 0 && (step == 1 || step % every == 0);
    }

    /**
     * @param carried stream mode's state the batch starts from, read only (copied for each pass); or null
     * @return per group, top down; and the batch's loss in {@link Measurement#loss}
     */
    Measurement measure(Parameters params, Batch batch, float[][] carried) {
        if (exact == null) {
            exact = params.zerosLike();
            approx = method.equals(Method.BPTT) ? exact : params.zerosLike();
        }
        double loss = pass(params, batch, Method.BPTT, exact, carried);
        if (approx != exact) pass(params, batch, method, approx, carried);
        return new Measurement(loss, GradientAgreement.of(exact, approx, method, layers));
    }

    private double pass(Parameters params, Batch batch, Method m, Parameters grads, float[][] carried) {
        if (carried == null) return engine.lossAndGradient(params, batch, m, grads);
        float[][] state = new float[carried.length][];
        for (int l = 0; l < carried.length; l++) state[l] = carried[l].clone();
        return engine.lossAndGradient(params, batch, m, grads, state);
    }

    /** @param loss the batch's loss at the step's weights */
    record Measurement(double loss, List<GradientAgreement> groups) {}
}
