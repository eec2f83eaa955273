package dsf4j.model;

/**
 * Every tensor name of the model, built here and nowhere else: PyTorch's names (the table is in
 * {@link ParamLayout}). Engines, checkpoints and the {@code grads} file read these fields instead of
 * assembling strings, so a name cannot drift between them, and no string is built per step.
 */
public final class ParamNames {

    private ParamNames() {}

    public static final String EMBEDDING = "embedding.weight";
    /** The final LayerNorm (transformer blocks). */
    public static final String NORM_WEIGHT = "norm.weight", NORM_BIAS = "norm.bias";
    public static final String HEAD_WEIGHT = "head.weight", HEAD_BIAS = "head.bias";

    /**
     * The names of block i's tensors, {@code layers.i.…}. Which of them exist depends on the model
     * ({@link ParamLayout}): the norms and the MLP only in transformer blocks, the projection when
     * D ≠ H or in transformer blocks, weight_hh and bias_hh only for cells with hidden gates.
     */
    public record Layer(int index, String norm1Weight, String norm1Bias, String weightIh, String weightHh, String biasIh,
                        String biasHh, String lambda, String projWeight, String projBias, String norm2Weight,
                        String norm2Bias, String fc1Weight, String fc1Bias, String fc2Weight, String fc2Bias) {

        /** {@code layers.i.}, the prefix every tensor of the block starts with. */
        public String prefix() {
            return ParamNames.prefix(index);
        }
    }

    /** {@code layers.i.} */
    public static String prefix(int i) {
        return "layers." + i + ".";
    }

    /** The names of block i. */
    public static Layer layer(int i) {
        String p = prefix(i), rnn = p + "rnn.";
        return new Layer(i, p + "norm1.weight", p + "norm1.bias", rnn + "weight_ih", rnn + "weight_hh", rnn + "bias_ih",
                rnn + "bias_hh", rnn + "lambda", p + "proj.weight", p + "proj.bias", p + "norm2.weight", p + "norm2.bias",
                p + "mlp.fc1.weight", p + "mlp.fc1.bias", p + "mlp.fc2.weight", p + "mlp.fc2.bias");
    }

    /** The names of every block, index l at [l]. */
    public static Layer[] layers(int count) {
        Layer[] out = new Layer[count];
        for (int l = 0; l < count; l++) out[l] = layer(l);
        return out;
    }
}
