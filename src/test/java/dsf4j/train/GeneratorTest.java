package dsf4j.train;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {

    private static final ModelConfig MODEL = new ModelConfig(CellType.GRU, BlockType.TRANSFORMER, 2, 8, 7, 0, LambdaInit.DEFAULT);

    /** The init's weights scaled up so that predictions are not uniform. */
    private static Parameters params() {
        Parameters p = ParamLayout.init(MODEL, 4);
        for (var t : p) if (t.trainable()) for (int i = 0; i < t.size(); i++) t.data()[i] *= 5;
        return p;
    }

    @Test
    void theSameSeedGivesTheSameTokens() {
        try (Engine e = Engines.create("reference", MODEL, DsfSolver.SCAN, 1)) {
            Generator g = new Generator(e, params(), 7, 0);
            int[] a = g.generate(new int[] {3, 1}, 40, new Generator.Sampling(1.0, 0, 1.0, 11));
            int[] b = g.generate(new int[] {3, 1}, 40, new Generator.Sampling(1.0, 0, 1.0, 11));
            int[] c = g.generate(new int[] {3, 1}, 40, new Generator.Sampling(1.0, 0, 1.0, 12));
            assertArrayEquals(a, b);
            assertFalse(Arrays.equals(a, c), "another seed, another text");
            for (int id : a) assertTrue(id >= 1 && id < 7, "never the pad id: " + id);
        }
    }

    /**
     * Greedy decoding one step per token picks, at each position, the token whose loss is lowest when
     * the whole history is re-read by {@link Engine#evaluate}: the stepper carries the state correctly.
     */
    @Test
    void greedyStepsAgreeWithReReadingTheHistory() {
        Parameters p = params();
        try (Engine e = Engines.create("reference", MODEL, DsfSolver.SCAN, 1)) {
            int[] prompt = {2, 5, 1};
            int[] gen = new Generator(e, p, 7, 0).generate(prompt, 6, new Generator.Sampling(0, 0, 1, 0));
            int[] history = Arrays.copyOf(prompt, prompt.length + gen.length);
            System.arraycopy(gen, 0, history, prompt.length, gen.length);
            for (int i = 0; i < gen.length; i++) {
                int len = prompt.length + i;
                int best = -1;
                double bestLoss = Double.POSITIVE_INFINITY;
                for (int cand = 1; cand < 7; cand++) {
                    int[] target = new int[len];        // pad everywhere but the last position
                    target[len - 1] = cand;
                    double loss = e.evaluate(p, new Batch(1, len, Arrays.copyOf(history, len), target)).sum();
                    if (loss < bestLoss) {
                        bestLoss = loss;
                        best = cand;
                    }
                }
                assertEquals(best, gen[i], "token " + i);
            }
        }
    }

    @Test
    void topKAndTopPRestrictTheCandidates() {
        float[] logits = {(float) Math.log(0.1), (float) Math.log(0.6), (float) Math.log(0.3)};   // softmax: 0.1, 0.6, 0.3
        Generator.Sampler s = new Generator.Sampler(3, -1);
        SplittableRandom rng = new SplittableRandom(5);
        int[] count = new int[3];
        for (int i = 0; i < 20000; i++) count[s.sample(logits, new Generator.Sampling(1, 0, 1, 0), rng)]++;
        assertEquals(0.1, count[0] / 20000.0, 0.01);
        assertEquals(0.6, count[1] / 20000.0, 0.01);
        assertEquals(0.3, count[2] / 20000.0, 0.01);

        Arrays.fill(count, 0);
        for (int i = 0; i < 2000; i++) count[s.sample(logits, new Generator.Sampling(1, 2, 1, 0), rng)]++;
        assertEquals(0, count[0], "top-k 2 drops the least likely");
        assertEquals(2 / 3.0, count[1] / 2000.0, 0.04);

        Arrays.fill(count, 0);
        for (int i = 0; i < 2000; i++) count[s.sample(logits, new Generator.Sampling(1, 0, 0.5, 0), rng)]++;
        assertEquals(2000, count[1], "top-p 0.5: the 0.6 token alone reaches it");
        Arrays.fill(count, 0);
        for (int i = 0; i < 2000; i++) count[s.sample(logits, new Generator.Sampling(1, 0, 0.85, 0), rng)]++;
        assertEquals(0, count[0], "top-p 0.85: 0.6 + 0.3");
        assertEquals(2, new Generator.Sampler(3, 1).sample(logits, new Generator.Sampling(0, 0, 1, 0), rng), "with pad id 1, greedy takes the next best");
        assertEquals(1, s.sample(logits, new Generator.Sampling(0, 0, 1, 0), rng), "temperature 0 is greedy");
    }

    @Test
    void badSettingsAreOneLineErrors() {
        assertThrows(IllegalArgumentException.class, () -> new Generator.Sampling(-1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Generator.Sampling(1, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Generator.Sampling(1, 0, 0, 0));
        try (Engine e = Engines.create("reference", MODEL, DsfSolver.SCAN, 1)) {
            Generator g = new Generator(e, params(), 7, 0);
            assertThrows(IllegalArgumentException.class, () -> g.generate(new int[0], 3, new Generator.Sampling(1, 0, 1, 0)));
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> g.generate(new int[] {9}, 3, new Generator.Sampling(1, 0, 1, 0)));
            assertTrue(x.getMessage().startsWith("prompt token id 9 is outside the model's vocabulary [0, 7)"));
        }
    }
}
