package dsf4j.model;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.ModelConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Every tensor of the model, with PyTorch's names and layouts (Linear weights are [out, in]) and the
 * authors' initialisation. This is the one place that knows the names; engines, checkpoints and the
 * {@code grads} file all follow it.
 *
 * <pre>
 * embedding.weight                 [V, H]        N(0, 0.02)
 * layers.i.norm1.weight / .bias    [H]           1 / 0            (transformer)
 * layers.i.rnn.weight_ih           [G·H, H]      U(−1/√H, 1/√H)
 * layers.i.rnn.weight_hh           [R·H, H]      U(−1/√H, 1/√H)   (cells with hidden gates, R > 0)
 * layers.i.rnn.bias_ih             [G·H]         U(−1/√H, 1/√H)
 * layers.i.rnn.bias_hh             [R·H]         U(−1/√H, 1/√H)   (R > 0)
 * layers.i.rnn.lambda              [D]           λ initialiser    (buffer, never trained)
 * layers.i.proj.weight / .bias     [H, D] / [H]  N(0, σ_out) / 0  (transformer; residual with D ≠ H, the LSTM: N(0, 0.02))
 * layers.i.norm2.weight / .bias    [H]           1 / 0            (transformer)
 * layers.i.mlp.fc1.weight / .bias  [4H, H]       N(0, 0.02) / 0   (transformer)
 * layers.i.mlp.fc2.weight / .bias  [H, 4H]       N(0, σ_out) / 0  (transformer)
 * norm.weight / .bias              [H]           1 / 0            (transformer)
 * head.weight / .bias              [V, H] / [V]  N(0, 0.02) / 0
 * </pre>
 * σ_out = 0.02/√(2L), the scaled init of each transformer block's last Linear layers. G, R and D are
 * the cell's ({@link CellType}); the names are {@link ParamNames}'.
 */
public final class ParamLayout {

    private ParamLayout() {}

    /**
     * Whether a block has the Linear(D → H) out-projection after its recurrent layer: always in a
     * transformer block, and in a residual block when the state is not H wide (the LSTM's [h, c]).
     */
    public static boolean hasProjection(ModelConfig c) {
        return c.block() == BlockType.TRANSFORMER || c.stateSize() != c.hidden();
    }

    /** Builds and initialises every tensor of the model from {@code seed}. */
    public static Parameters init(ModelConfig c, long seed) {
        return build(c, new Random(seed));
    }

    /**
     * Every tensor of the model, named and shaped, with its values left at zero (LayerNorm weights at 1):
     * the layout a loaded checkpoint fills. Drawing the random init only to overwrite it took most of a
     * 66 MB checkpoint's load time.
     */
    public static Parameters layout(ModelConfig c) {
        return build(c, null);
    }

    /** @param rng the init's random source, or null to leave every drawn value at zero */
    private static Parameters build(ModelConfig c, Random rng) {
        int h = c.hidden(), v = c.vocab(), g = c.cell().gates, r = c.cell().hiddenGates, d = c.stateSize();
        boolean tf = c.block() == BlockType.TRANSFORMER;
        double std = 0.02;
        double stdOut = tf ? 0.02 / Math.sqrt(2.0 * c.layers()) : 0.02;
        double cellBound = 1.0 / Math.sqrt(h);

        List<Tensor> ts = new ArrayList<>();
        ts.add(normal(ParamNames.EMBEDDING, rng, std, v, h));
        for (int i = 0; i < c.layers(); i++) {
            ParamNames.Layer n = ParamNames.layer(i);
            if (tf) layerNorm(ts, n.norm1Weight(), n.norm1Bias(), h);
            ts.add(uniform(n.weightIh(), rng, cellBound, g * h, h));
            if (r > 0) ts.add(uniform(n.weightHh(), rng, cellBound, r * h, h));
            ts.add(uniform(n.biasIh(), rng, cellBound, g * h));
            if (r > 0) ts.add(uniform(n.biasHh(), rng, cellBound, r * h));
            Tensor lambda = new Tensor(n.lambda(), new int[] {d}, false);
            if (rng != null) c.lambdaInit().fill(lambda.data(), rng);
            ts.add(lambda);
            if (hasProjection(c)) {
                ts.add(normal(n.projWeight(), rng, stdOut, h, d));
                ts.add(zeros(n.projBias(), h));
            }
            if (tf) {
                layerNorm(ts, n.norm2Weight(), n.norm2Bias(), h);
                ts.add(normal(n.fc1Weight(), rng, std, 4 * h, h));
                ts.add(zeros(n.fc1Bias(), 4 * h));
                ts.add(normal(n.fc2Weight(), rng, stdOut, h, 4 * h));
                ts.add(zeros(n.fc2Bias(), h));
            }
        }
        if (tf) layerNorm(ts, ParamNames.NORM_WEIGHT, ParamNames.NORM_BIAS, h);
        ts.add(normal(ParamNames.HEAD_WEIGHT, rng, std, v, h));
        ts.add(zeros(ParamNames.HEAD_BIAS, v));
        return new Parameters(ts);
    }

    private static void layerNorm(List<Tensor> ts, String weight, String bias, int h) {
        Tensor w = new Tensor(weight, new int[] {h}, true);
        java.util.Arrays.fill(w.data(), 1f);
        ts.add(w);
        ts.add(zeros(bias, h));
    }

    private static Tensor zeros(String name, int... shape) {
        return new Tensor(name, shape, true);
    }

    private static Tensor normal(String name, Random rng, double std, int... shape) {
        Tensor t = new Tensor(name, shape, true);
        float[] a = t.data();
        for (int i = 0; rng != null && i < a.length; i++) a[i] = (float) (std * rng.nextGaussian());
        return t;
    }

    private static Tensor uniform(String name, Random rng, double bound, int... shape) {
        Tensor t = new Tensor(name, shape, true);
        float[] a = t.data();
        for (int i = 0; rng != null && i < a.length; i++) a[i] = (float) (bound * (2 * rng.nextDouble() - 1));
        return t;
    }
}
