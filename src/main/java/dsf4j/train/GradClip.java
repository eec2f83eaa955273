package dsf4j.train;

import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

/** Global-norm gradient clipping, as torch.nn.utils.clip_grad_norm_. */
public final class GradClip {

    private GradClip() {}

    /** ‖g‖₂ over every trainable tensor, in double. */
    public static double globalNorm(Parameters grads) {
        double s = 0;
        for (Tensor g : grads) {
            if (!g.trainable()) continue;
            for (float x : g.data()) s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    /**
     * Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)) when {@code maxNorm > 0}.
     *
     * @param grads modified in place
     * @return ‖g‖ before clipping (NaN or ∞ are returned as they are, and nothing is scaled)
     */
    public static double clip(Parameters grads, double maxNorm) {
        double norm = globalNorm(grads);
        if (maxNorm > 0 && Double.isFinite(norm) && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (Tensor g : grads) {
                if (!g.trainable()) continue;
                float[] a = g.data();
                for (int i = 0; i < a.length; i++) a[i] *= scale;
            }
        }
        return norm;
    }
}
