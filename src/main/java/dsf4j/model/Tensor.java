package dsf4j.model;

import java.util.Arrays;

/**
 * A named float32 array with a row-major shape, e.g. {@code layers.0.rnn.weight_ih} [G·H, in].
 *
 * @param trainable false for buffers the optimizer never touches (DSF's λ)
 */
public record Tensor(String name, int[] shape, float[] data, boolean trainable) {

    public Tensor {
        if (data.length != numel(shape)) {
            throw new IllegalArgumentException(name + ": " + data.length + " values for shape " + Arrays.toString(shape));
        }
    }

    public Tensor(String name, int[] shape, boolean trainable) {
        this(name, shape, new float[numel(shape)], trainable);
    }

    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large for one array");
        return (int) n;
    }

    public int size() {
        return data.length;
    }

    /** A zero tensor with the same name and shape. */
    public Tensor zerosLike() {
        return new Tensor(name, shape.clone(), trainable);
    }
}
