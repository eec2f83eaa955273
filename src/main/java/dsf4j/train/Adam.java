package dsf4j.train;

import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma and Ba) with PyTorch's update, over the trainable tensors of a model; buffers such
 * as DSF's λ ({@code trainable() == false}) are never touched. With t the step count (from 1):
 * <pre>
 * g ← g + wd·θ                       (ADAM: coupled L2, torch.optim.Adam(weight_decay=wd))
 * θ ← θ·(1 − lr·wd)                  (ADAMW: decoupled, torch.optim.AdamW)
 * m ← β1·m + (1 − β1)·g
 * v ← β2·v + (1 − β2)·g²
 * θ ← θ − lr/(1 − β1^t) · m / (√v/√(1 − β2^t) + ε)
 * </pre>
 * Moments are float32 like the weights; the arithmetic of one element is done in double.
 */
public final class Adam {

    public static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private final OptimizerKind kind;
    private final double weightDecay;
    private final String[] names;     // trainable tensors, in model order
    private final Parameters m, v;    // first and second moments, shaped like the trainable tensors
    private long t;

    public Adam(Parameters params, OptimizerKind kind, double weightDecay) {
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be ≥ 0 (got " + weightDecay + ")");
        this.kind = kind;
        this.weightDecay = weightDecay;
        List<Tensor> trainable = new ArrayList<>();
        for (Tensor p : params) if (p.trainable()) trainable.add(p.zerosLike());
        this.names = trainable.stream().map(Tensor::name).toArray(String[]::new);
        this.m = new Parameters(trainable);
        this.v = m.zerosLike();
    }

    /**
     * One update with learning rate {@code lr}.
     *
     * @param params modified in place (trainable tensors only)
     * @param grads  dL/dθ, read only
     */
    public void step(Parameters params, Parameters grads, double lr) {
        t++;
        double bc1 = 1 - Math.pow(BETA1, t);
        double sqrtBc2 = Math.sqrt(1 - Math.pow(BETA2, t));
        double stepSize = lr / bc1;
        boolean coupled = kind == OptimizerKind.ADAM;
        double shrink = coupled ? 1 : 1 - lr * weightDecay;
        for (String name : names) {
            float[] w = params.data(name), g = grads.data(name), mm = m.data(name), vv = v.data(name);
            for (int i = 0; i < w.length; i++) {
                double wi = w[i];
                double gi = coupled ? g[i] + weightDecay * wi : g[i];
                double mi = BETA1 * mm[i] + (1 - BETA1) * gi;
                double vi = BETA2 * vv[i] + (1 - BETA2) * gi * gi;
                mm[i] = (float) mi;
                vv[i] = (float) vi;
                w[i] = (float) (wi * shrink - stepSize * mi / (Math.sqrt(vi) / sqrtBc2 + EPS));
            }
        }
    }

    public OptimizerKind kind() {
        return kind;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** Updates done so far (t). */
    public long steps() {
        return t;
    }

    /** First moments m, by tensor name (live: a checkpoint writes them, a resume fills them). */
    public Parameters firstMoments() {
        return m;
    }

    /** Second moments v, by tensor name (live). */
    public Parameters secondMoments() {
        return v;
    }

    /** Sets the step count after the moments were restored from a checkpoint. */
    public void restoreSteps(long steps) {
        if (steps < 0) throw new IllegalArgumentException("optimizer step count " + steps + " is negative");
        this.t = steps;
    }
}
