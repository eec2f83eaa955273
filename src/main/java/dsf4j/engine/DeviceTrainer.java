package dsf4j.engine;

import dsf4j.config.Method;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;

/**
 * Training with the weights, gradients and optimizer state resident on an accelerator: the host
 * sends token ids and reads back the loss, nothing else, until {@link #copyTo}. The extension an
 * accelerator engine offers beside {@link Engine} (whose gradients travel to a host-side optimizer
 * on every call); both compute the same loss and gradient.
 */
public interface DeviceTrainer extends AutoCloseable {

    /**
     * torch.optim.Adam's settings with coupled L2 weight decay (the gradient gets + weightDecay·θ
     * before the moments; not AdamW).
     */
    record Adam(double beta1, double beta2, double eps, double weightDecay) {
        public Adam {
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Adam betas must be in [0, 1): got " + beta1 + ", " + beta2);
            if (!(eps > 0) || !(weightDecay >= 0)) throw new IllegalArgumentException("Adam needs eps > 0 and weight decay >= 0");
        }

        /** PyTorch's defaults (0.9, 0.999, 1e-8) with the given weight decay. */
        public static Adam withWeightDecay(double weightDecay) {
            return new Adam(0.9, 0.999, 1e-8, weightDecay);
        }
    }

    /**
     * One optimizer step: forward, backward by {@code method}, Adam update with learning rate
     * {@code lr} (a schedule may change it every step). A batch whose targets are all padding
     * changes nothing and returns 0.
     *
     * @return the batch's loss before the update (mean cross-entropy over non-pad targets)
     */
    double step(Batch batch, Method method, double lr);

    /** Number of updates made so far (Adam's t). */
    long updates();

    /** Copies the current weights to the host, into tensors of the same names and shapes. */
    void copyTo(Parameters params);

    @Override
    void close();
}
