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
 * layers.i.rnn.weight_hh           [G·H, H]      U(−1/√H, 1/√H)
 * layers.i.rnn.bias_ih / bias_hh   [G·H]         U(−1/√H, 1/√H)
 * layers.i.rnn.lambda              [D]           λ initialiser    (buffer, never trained)
 * layers.i.proj.weight / .bias     [H, D] / [H]  N(0, σ_out) / 0  (transformer; residual LSTM: N(0, 0.02))
 * layers.i.norm2.weight / .bias    [H]           1 / 0            (transformer)
 * layers.i.mlp.fc1.weight / .bias  [4H, H]       N(0, 0.02) / 0   (transformer)
 * layers.i.mlp.fc2.weight / .bias  [H, 4H]       N(0, σ_out) / 0  (transformer)
 * norm.weight / .bias              [H]           1 / 0            (transformer)
 * head.weight / .bias              [V, H] / [V]  N(0, 0.02) / 0
 * </pre>
 * σ_out = 0.02/√(2L), the scaled init of each transformer block's last Linear layers.
 */
public final class ParamLayout {

    private ParamLayout() {}

    /** Whether a block has the Linear(D → H) out-projection after its recurrent layer. */
    public static boolean hasProjection(ModelConfig c) {
        return c.block() == BlockType.TRANSFORMER || c.cell() == CellType.LSTM;
    }

    /** Builds and initialises every tensor of the model from {@code seed}. */
    public static Parameters init(ModelConfig c, long seed) {
        Random rng = new Random(seed);
        int h = c.hidden(), v = c.vocab(), g = c.cell().gates, d = c.stateSize();
        boolean tf = c.block() == BlockType.TRANSFORMER;
        double std = 0.02;
        double stdOut = tf ? 0.02 / Math.sqrt(2.0 * c.layers()) : 0.02;
        double cellBound = 1.0 / Math.sqrt(h);

        List<Tensor> ts = new ArrayList<>();
        ts.add(normal("embedding.weight", rng, std, v, h));
        for (int i = 0; i < c.layers(); i++) {
            String p = "layers." + i + ".";
            if (tf) layerNorm(ts, p + "norm1", h);
            ts.add(uniform(p + "rnn.weight_ih", rng, cellBound, g * h, h));
            ts.add(uniform(p + "rnn.weight_hh", rng, cellBound, g * h, h));
            ts.add(uniform(p + "rnn.bias_ih", rng, cellBound, g * h));
            ts.add(uniform(p + "rnn.bias_hh", rng, cellBound, g * h));
            Tensor lambda = new Tensor(p + "rnn.lambda", new int[] {d}, false);
            c.lambdaInit().fill(lambda.data(), rng);
            ts.add(lambda);
            if (hasProjection(c)) {
                ts.add(normal(p + "proj.weight", rng, stdOut, h, d));
                ts.add(zeros(p + "proj.bias", h));
            }
            if (tf) {
                layerNorm(ts, p + "norm2", h);
                ts.add(normal(p + "mlp.fc1.weight", rng, std, 4 * h, h));
                ts.add(zeros(p + "mlp.fc1.bias", 4 * h));
                ts.add(normal(p + "mlp.fc2.weight", rng, stdOut, h, 4 * h));
                ts.add(zeros(p + "mlp.fc2.bias", h));
            }
        }
        if (tf) layerNorm(ts, "norm", h);
        ts.add(normal("head.weight", rng, std, v, h));
        ts.add(zeros("head.bias", v));
        return new Parameters(ts);
    }

    private static void layerNorm(List<Tensor> ts, String name, int h) {
        Tensor w = new Tensor(name + ".weight", new int[] {h}, true);
        java.util.Arrays.fill(w.data(), 1f);
        ts.add(w);
        ts.add(zeros(name + ".bias", h));
    }

    private static Tensor zeros(String name, int... shape) {
        return new Tensor(name, shape, true);
    }

    private static Tensor normal(String name, Random rng, double std, int... shape) {
        Tensor t = new Tensor(name, shape, true);
        float[] a = t.data();
        for (int i = 0; i < a.length; i++) a[i] = (float) (std * rng.nextGaussian());
        return t;
    }

    private static Tensor uniform(String name, Random rng, double bound, int... shape) {
        Tensor t = new Tensor(name, shape, true);
        float[] a = t.data();
        for (int i = 0; i < a.length; i++) a[i] = (float) (bound * (2 * rng.nextDouble() - 1));
        return t;
    }
}
