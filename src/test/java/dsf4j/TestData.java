package dsf4j;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import dsf4j.model.Batch;

import java.util.Random;

/** Tiny seeded models, batches and error measures shared by the tests. */
public final class TestData {

    private TestData() {}

    /** A small model: V = 7, pad id 0, H = 4 unless given. */
    public static ModelConfig config(CellType cell, BlockType block, int layers, int hidden, LambdaInit lambda) {
        return new ModelConfig(cell, block, layers, hidden, 7, 0, lambda);
    }

    /** A random batch whose targets include some pad ids (0). */
    public static Batch batch(int vocab, int b, int steps, long seed) {
        Random rng = new Random(seed);
        int[] in = new int[b * steps], tg = new int[b * steps];
        for (int i = 0; i < in.length; i++) {
            in[i] = 1 + rng.nextInt(vocab - 1);
            tg[i] = rng.nextInt(5) == 0 ? 0 : 1 + rng.nextInt(vocab - 1);
        }
        tg[0] = 1;   // at least one target counts
        return new Batch(b, steps, in, tg);
    }

    /** ‖a − b‖ / max(‖a‖, ‖b‖), 0 when both are 0. */
    public static double relativeError(double[] a, double[] b) {
        double diff = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        double scale = Math.sqrt(Math.max(na, nb));
        return scale == 0 ? 0 : Math.sqrt(diff) / scale;
    }

    public static double norm(double[] a) {
        double s = 0;
        for (double v : a) s += v * v;
        return Math.sqrt(s);
    }
}
