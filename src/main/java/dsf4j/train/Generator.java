package dsf4j.train;

import dsf4j.engine.Engine;
import dsf4j.model.Parameters;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Text generation with a stateful {@link Engine.Stepper}: the prompt is read one token at a time,
 * then each sampled token is fed back, one recurrent step per token (the history is never re-read).
 * The same seed gives the same tokens.
 */
public final class Generator {

    /**
     * @param temperature divides the logits; 0 = greedy (always the most likely token)
     * @param topK        sample among the K most likely tokens only; 0 = all
     * @param topP        then among the fewest most likely tokens whose probability reaches P (nucleus); 1 = all
     */
    public record Sampling(double temperature, int topK, double topP, long seed) {
        public Sampling {
            if (!(temperature >= 0) || !Double.isFinite(temperature)) throw new IllegalArgumentException("--temperature must be ≥ 0 (0 = greedy; got " + temperature + ")");
            if (topK < 0) throw new IllegalArgumentException("--top-k must be ≥ 0 (0 = no limit; got " + topK + ")");
            if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("--top-p must be in (0, 1] (1 = no limit; got " + topP + ")");
        }
    }

    private final Engine engine;
    private final Parameters params;
    private final int vocab, padId;

    /** @param padId a token never generated (the pad id), or -1 */
    public Generator(Engine engine, Parameters params, int vocab, int padId) {
        this.engine = engine;
        this.params = params;
        this.vocab = vocab;
        this.padId = padId;
    }

    /** The {@code tokens} ids that follow {@code prompt} (which must hold at least one id). */
    public int[] generate(int[] prompt, int tokens, Sampling s) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens: give some text with --prompt");
        if (tokens < 0) throw new IllegalArgumentException("--tokens must be ≥ 0 (got " + tokens + ")");
        for (int id : prompt) {
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("prompt token id " + id + " is outside the model's vocabulary [0, " + vocab + "): use the tokenizer the model was trained with");
        }
        try (Engine.Stepper stepper = engine.stepper(params, 1)) {
            SplittableRandom rng = new SplittableRandom(s.seed());
            float[] logits = new float[vocab];
            int[] one = new int[1];
            for (int id : prompt) {
                one[0] = id;
                stepper.step(one, logits);
            }
            Sampler sampler = new Sampler(vocab, padId);
            int[] out = new int[tokens];
            for (int i = 0; i < tokens; i++) {
                out[i] = sampler.sample(logits, s, rng);
                if (i + 1 < tokens) {
                    one[0] = out[i];
                    stepper.step(one, logits);
                }
            }
            return out;
        }
    }

    /** Draws one token from logits under temperature, top-k and top-p; scratch buffers are reused. */
    static final class Sampler {
        private final int padId;
        private final long[] order;     // (descending-logit key << 32) | id
        private final double[] prob;    // by rank

        Sampler(int vocab, int padId) {
            this.padId = padId;
            this.order = new long[vocab];
            this.prob = new double[vocab];
        }

        int sample(float[] logits, Sampling s, SplittableRandom rng) {
            int v = 0;
            for (int id = 0; id < logits.length; id++) {
                if (id == padId) continue;
                order[v++] = ((long) sortable(-logits[id]) << 32) | id;
            }
            Arrays.sort(order, 0, v);
            if (s.temperature() == 0) return (int) order[0];
            int keep = s.topK() > 0 ? Math.min(s.topK(), v) : v;
            double max = logits[(int) order[0]], total = 0;
            for (int r = 0; r < keep; r++) {
                prob[r] = Math.exp((logits[(int) order[r]] - max) / s.temperature());
                total += prob[r];
            }
            if (s.topP() < 1) {
                double mass = 0;
                for (int r = 0; r < keep; r++) {
                    mass += prob[r] / total;
                    if (mass >= s.topP()) {
                        keep = r + 1;
                        break;
                    }
                }
                total = 0;
                for (int r = 0; r < keep; r++) total += prob[r];
            }
            double u = rng.nextDouble() * total;
            for (int r = 0; r < keep; r++) {
                u -= prob[r];
                if (u < 0) return (int) order[r];
            }
            return (int) order[keep - 1];   // rounding left u a hair above 0
        }

        /** An int whose signed order is the float's order. */
        private static int sortable(float x) {
            int b = Float.floatToIntBits(x);
            return b ^ ((b >> 31) & 0x7fffffff);
        }
    }
}
