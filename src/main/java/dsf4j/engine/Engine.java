package dsf4j.engine;

import dsf4j.config.Method;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;

import java.util.Optional;

/**
 * Computes the language-model loss and its gradient for one batch. The model is fixed at
 * construction (its config); the weights are passed on each call so an optimizer can own them.
 * Implementations: {@code engine.reference} (double precision, the readable path) and
 * {@code engine.fast} (float32, Vector API).
 */
public interface Engine extends AutoCloseable {

    /** A short name for logs: reference, fast, cuda. */
    String name();

    /**
     * Loss L = mean cross-entropy over the targets that are not the pad id, and its gradient.
     *
     * @param params weights, read only
     * @param batch  token ids, read only
     * @param method how the gradient crosses time in the recurrent layers
     * @param grads  output: dL/dθ for every trainable tensor, overwritten (buffers such as λ get 0)
     * @return L (0 when every target is padding)
     */
    double lossAndGradient(Parameters params, Batch batch, Method method, Parameters grads);

    /** Sum of the cross-entropy over the non-pad targets, and how many there were (for perplexity). */
    LossSum evaluate(Parameters params, Batch batch);

    /**
     * Stream mode (the classic batchify, state carried between batches): as
     * {@link #lossAndGradient(Parameters, Batch, Method, Parameters)}, but every layer starts from the
     * state the previous batch ended in and leaves its own last state there. The gradient stops at the
     * batch boundary: the carried state is a constant, as PyTorch's {@code hidden.detach()}.
     *
     * @param state per layer, the carried s, [L][B·D] (row b holds sequence b); read, then overwritten
     *              with s_{T−1}
     */
    default double lossAndGradient(Parameters params, Batch batch, Method method, Parameters grads, float[][] state) {
        throw new IllegalArgumentException("the " + name() + " engine cannot carry the recurrent state between batches: use --engine fast or reference, or another --data-mode");
    }

    /** {@link #evaluate(Parameters, Batch)} with the state carried as in stream mode (see above). */
    default LossSum evaluate(Parameters params, Batch batch, float[][] state) {
        throw new IllegalArgumentException("the " + name() + " engine cannot carry the recurrent state between batches: use --engine fast or reference, or another --data-mode");
    }

    /**
     * Each recurrent layer's Jacobian diagonal at {@code params}, averaged over the batch: what an adaptive
     * DSF λ is read from. out[l][i] = the mean of (J_t)_ii, J_t = ∂s_t/∂s_{t−1}, over the rows b and steps
     * t ≥ 1 whose target the loss sees (the J_t that BPTT's recurrence multiplies by a δ_t that is not 0).
     *
     * @param state stream mode's carried state, [L][B·D], read only (not advanced); or null for zeros
     * @param out   [L][D], overwritten; left as it is when nothing is counted
     * @return how many (b, t) each layer's mean is over (0: none, out untouched)
     */
    default long meanJacobianDiagonal(Parameters params, Batch batch, float[][] state, double[][] out) {
        throw new IllegalArgumentException("the " + name() + " engine cannot read the Jacobian diagonal yet (--lambda-update): use --engine fast or reference");
    }

    /**
     * A stateful one-token-at-a-time runner for generation: each call to {@link Stepper#step} advances
     * every recurrent layer by one step (no re-reading of the history).
     *
     * @param params weights, read only, captured for the stepper's life
     * @param batch  number of independent sequences stepped together
     */
    Stepper stepper(Parameters params, int batch);

    /**
     * A trainer that keeps a copy of {@code initial}'s weights, the gradients and the optimizer state
     * on this engine's device for the whole run; empty for engines that compute on the host (the
     * trainer then clips and runs Adam itself, on the gradients {@link #lossAndGradient} returns).
     */
    default Optional<DeviceTrainer> deviceTrainer(Parameters initial, DeviceTrainer.Settings settings) {
        return Optional.empty();
    }

    @Override
    default void close() {}

    /** Carries the recurrent state of {@code batch} sequences from one token to the next. */
    interface Stepper extends AutoCloseable {
        /**
         * @param tokens input ids, [B], read only
         * @param logits output: next-token logits, [B, V] row-major, overwritten
         */
        void step(int[] tokens, float[] logits);

        /** Zeroes the recurrent state (h_0 = 0). */
        void reset();

        /** Frees what the stepper holds outside the heap (an accelerator's copy of the weights). */
        @Override
        default void close() {}
    }

    /** Σ cross-entropy and the number of terms in it. */
    record LossSum(double sum, long count) {
        public LossSum plus(LossSum o) {
            return new LossSum(sum + o.sum, count + o.count);
        }

        public double mean() {
            return count == 0 ? 0 : sum / count;
        }
    }
}
