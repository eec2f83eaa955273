package dsf4j.train;

import dsf4j.engine.Engine;
import dsf4j.model.Batch;
import dsf4j.model.ParamNames;
import dsf4j.model.Parameters;

/**
 * Adaptive feedback ({@code --lambda-update N}): every N steps, each layer's λ is read off the current
 * batch's true Jacobian,
 * <pre>
 * λ_i = clamp(mean over b, t of (J_t)_ii, 0, λ_max),   J_t = ∂s_t/∂s_{t−1}
 * </pre>
 * (the engine's {@link Engine#meanJacobianDiagonal}: the rows and steps t ≥ 1 whose target the loss
 * sees, at the weights the step starts from), so DSF's eq. 13 feeds back the diagonal the network has
 * now instead of the fixed linspace it started with. λ stays a buffer ({@code layers.<i>.rnn.lambda}),
 * never trained, saved in checkpoints: a resumed run goes on with the λ it stopped with.
 *
 * <p>Why a period and not a λ-init mode: the update is a training procedure with a cost (one forward
 * pass every N steps), not a property of the model; any {@code --lambda-init} can start it, and a
 * checkpoint trained this way is an ordinary model whose λ buffer happens to hold the last estimate.
 */
public final class AdaptiveLambda {

    private AdaptiveLambda() {}

    /** Whether the step after {@code step} updates (0, N, 2N, …: the first step already runs on the estimate). */
    public static boolean due(long step, int every) {
        return every > 0 && step % every == 0;
    }

    /**
     * Sets λ of every layer of {@code params} from {@code batch}. An entry whose mean is not a number
     * (a diverged run) keeps its λ; a batch with nothing to average changes nothing.
     *
     * @param carried stream mode's state the batch starts from, read only; or null
     * @return how many (b, t) each layer's mean was over (0: λ unchanged)
     */
    public static long update(Engine engine, Parameters params, Batch batch, float[][] carried, int layers, double max) {
        ParamNames.Layer[] names = ParamNames.layers(layers);
        double[][] mean = new double[layers][params.data(names[0].lambda()).length];
        long count = engine.meanJacobianDiagonal(params, batch, carried, mean);
        if (count == 0) return 0;
        for (int l = 0; l < layers; l++) {
            float[] lambda = params.data(names[l].lambda());
            for (int i = 0; i < lambda.length; i++) {
                if (!Double.isNaN(mean[l][i])) lambda[i] = (float) Math.min(max, Math.max(0, mean[l][i]));
            }
        }
        return count;
    }
}
