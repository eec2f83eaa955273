package dsf4j.engine;

import dsf4j.config.Method;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;

/**
 * Training with the weights, gradients and optimizer state resident on an accelerator: per step the
 * host sends token ids (and, in stream mode, the carried state) and reads back the loss and the
 * gradient norm, nothing else, until {@link #copyTo}. What an accelerator engine offers beside
 * {@link Engine} (whose gradients travel to a host-side optimizer on every call); the step is the
 * trainer's host loop — {@link Engine#lossAndGradient}, global-norm clipping, Adam — done on the device.
 */
public interface DeviceTrainer extends AutoCloseable {

    /**
     * torch.optim.Adam's settings; {@code decoupled} false: coupled L2 (the gradient gets
     * + weightDecay·θ before the moments, torch.optim.Adam), true: AdamW's θ ← θ·(1 − lr·weightDecay).
     * {@code clip}: global gradient-norm limit as clip_grad_norm_ (0: none).
     */
    record Settings(double beta1, double beta2, double eps, double weightDecay, boolean decoupled, double clip) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Adam betas must be in [0, 1): got " + beta1 + ", " + beta2);
            if (!(eps > 0) || !(weightDecay >= 0)) throw new IllegalArgumentException("Adam needs eps > 0 and weight decay >= 0");
            if (!(clip >= 0)) throw new IllegalArgumentException("the gradient-norm limit must be >= 0 (0: no clipping), got " + clip);
        }

        /** PyTorch's defaults (0.9, 0.999, 1e-8), Adam (coupled) or AdamW, with the given weight decay and clip. */
        public static Settings of(boolean decoupled, double weightDecay, double clip) {
            return new Settings(0.9, 0.999, 1e-8, weightDecay, decoupled, clip);
        }
    }

    /**
     * What one step saw: the batch's loss and the gradient's global norm before clipping, and whether the
     * update was made.
     */
    record Update(double loss, double gradNorm, boolean applied) {
        /** A step whose update was made exactly when the loss and the norm are finite (what a device trainer does). */
        public Update(double loss, double gradNorm) {
            this(loss, gradNorm, Double.isFinite(loss) && Double.isFinite(gradNorm));
        }
    }

    /**
     * One optimizer step: forward, backward by {@code method}, clipping, the update with learning
     * rate {@code lr} (a schedule may change it every step) unless the loss or the norm is not finite:
     * the host trainer's step, made on the device.
     *
     * @param carried stream mode: per layer the state to start from, [L][B·D]; overwritten with the
     *                state the batch ends in. Null: every sequence starts from zero.
     */
    Update step(Batch batch, Method method, double lr, float[][] carried);

    /**
     * Σ cross-entropy of {@code batch} under the current weights (no update).
     *
     * @param carried as in {@link #step}, or null
     */
    Engine.LossSum evaluate(Batch batch, float[][] carried);

    /** Number of updates made so far (Adam's t; skipped steps do not count). */
    long updates();

    /**
     * Copies the current weights, and Adam's moments when the arguments are not null, to the host,
     * into tensors of the same names and shapes (the moments: the trainable tensors only).
     */
    void copyTo(Parameters params, Parameters firstMoments, Parameters secondMoments);

    /** Sets Adam's moments and step count (a resumed run); the weights are the ones the trainer was made with. */
    void restore(Parameters firstMoments, Parameters secondMoments, long updates);

    @Override
    void close();
}
