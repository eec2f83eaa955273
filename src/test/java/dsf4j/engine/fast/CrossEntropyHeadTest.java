package dsf4j.engine.fast;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The chunked head ({@link CrossEntropyHead}) against plain loops in double, over several chunks whose
 * row counts leave partial blocks of db's partial sums, with pad rows; and bitwise equal at 1 and 3
 * workers. Tagged "width": surefire runs it again at each forced vector width.
 */
@Tag("width")
class CrossEntropyHeadTest {

    private static final int N = 3 * CrossEntropyHead.ROWS_PER_TASK + 11, H = 7, V = 53, PAD = 0, CHUNK = 41;

    private record Result(double loss, float[] dz, float[] dW, float[] dB) {}

    private static Result run(int threads, float[] z, int[] targets, float[] w, float[] b, float[] dW0, float[] dB0) {
        try (Parallel p = new Parallel(threads)) {
            CrossEntropyHead head = new CrossEntropyHead(new Gemm(p), new ColumnSums(p), N, H, V, PAD, CHUNK);
            float[] dz = new float[N * H], dW = dW0.clone(), dB = dB0.clone();
            double loss = head.run(z, targets, w, b, dz, dW, dB, head.count(targets));
            return new Result(loss, dz, dW, dB);
        }
    }

    @Test
    void severalChunksGiveThePlainLoopsLossAndGradientsAndTheSameBitsAtAnyThreadCount() {
        Random r = new Random(8);
        float[] z = new float[N * H], w = new float[V * H], b = new float[V], dW0 = new float[V * H], dB0 = new float[V];
        for (int i = 0; i < z.length; i++) z[i] = (float) r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) (0.5 * r.nextGaussian());
        for (int i = 0; i < V; i++) b[i] = (float) (0.3 * r.nextGaussian());
        for (int i = 0; i < dW0.length; i++) dW0[i] = (float) r.nextGaussian();   // accumulated into
        for (int i = 0; i < V; i++) dB0[i] = (float) r.nextGaussian();
        int[] targets = new int[N];
        for (int i = 0; i < N; i++) targets[i] = i % 9 == 4 ? PAD : 1 + r.nextInt(V - 1);

        // Plain loops in double: ℓ_r = log Σ exp(logit) − logit_target; dlogits = (softmax − onehot)/count.
        int count = 0;
        for (int t : targets) if (t != PAD) count++;
        double loss = 0;
        double[] dz = new double[N * H], dW = new double[V * H], dB = new double[V];
        for (int i = 0; i < dW.length; i++) dW[i] = dW0[i];
        for (int i = 0; i < V; i++) dB[i] = dB0[i];
        for (int row = 0; row < N; row++) {
            if (targets[row] == PAD) continue;
            double[] logit = new double[V];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int v = 0; v < V; v++) {
                logit[v] = b[v];
                for (int k = 0; k < H; k++) logit[v] += (double) z[row * H + k] * w[v * H + k];
                max = Math.max(max, logit[v]);
            }
            for (int v = 0; v < V; v++) sum += Math.exp(logit[v] - max);
            loss += max + Math.log(sum) - logit[targets[row]];
            for (int v = 0; v < V; v++) {
                double d = (Math.exp(logit[v] - max) / sum - (v == targets[row] ? 1 : 0)) / count;
                dB[v] += d;
                for (int k = 0; k < H; k++) {
                    dz[row * H + k] += d * w[v * H + k];
                    dW[v * H + k] += d * z[row * H + k];
                }
            }
        }

        Result one = run(1, z, targets, w, b, dW0, dB0), three = run(3, z, targets, w, b, dW0, dB0);
        assertEquals(loss, one.loss(), 1e-5 * loss, "loss");
        assertClose(dz, one.dz(), "dz");
        assertClose(dW, one.dW(), "dW");
        assertClose(dB, one.dB(), "dB");
        assertEquals(one.loss(), three.loss(), 0.0, "loss at 3 threads");
        assertArrayEquals(one.dz(), three.dz(), 0f, "dz at 3 threads");
        assertArrayEquals(one.dW(), three.dW(), 0f, "dW at 3 threads");
        assertArrayEquals(one.dB(), three.dB(), 0f, "dB at 3 threads");
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }
}
