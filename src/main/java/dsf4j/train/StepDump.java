package dsf4j.train;

import dsf4j.config.ModelConfig;
import dsf4j.io.StepsFile;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code train --dump-steps K}: records a run's first K steps as they happen (the weights before step 1,
 * each step's batch, learning rate, loss and gradient norm, and the weights after every step or only
 * after step K) for {@code bench/pytorch_equivalence.py}, which replays them in PyTorch and compares.
 * The {@link Trainer} writes them to {@code OUT/}{@value #FILE} ({@link StepsFile}) once step K is done.
 *
 * <p>It only observes: it copies what the step read and wrote, after the step; the run computes
 * exactly what it computes without it.
 */
public final class StepDump {

    public static final String FILE = "steps.safetensors";

    /** Which weights are kept: after every step (small models), or after step K only (large ones). */
    public enum Weights {
        EVERY, LAST;

        public static Weights parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "every" -> EVERY;
                case "last" -> LAST;
                default -> throw new IllegalArgumentException("unknown --dump-weights '" + s + "': use every (the weights after each step) or last (after step K only, for large models)");
            };
        }
    }

    private final int steps;
    private final Weights keep;
    private Parameters initial;
    private final List<Batch> batches = new ArrayList<>();
    private final double[] lr, loss, gradNorm;
    private final SortedMap<Integer, Parameters> after = new TreeMap<>();

    /** Records steps 1..{@code steps}. */
    public StepDump(int steps, Weights keep) {
        if (steps < 1) throw new IllegalArgumentException("--dump-steps must be at least 1 (got " + steps + ")");
        this.steps = steps;
        this.keep = keep;
        this.lr = new double[steps];
        this.loss = new double[steps];
        this.gradNorm = new double[steps];
    }

    /** K. */
    public int steps() {
        return steps;
    }

    /**
     * Checks that this run can be replayed from its dump, and copies the weights before step 1.
     *
     * @param resumed      the run continues from a checkpoint (its Adam state would be missing from the replay)
     * @param carriesState stream mode (the state carried between batches would be missing from the replay)
     * @param distributed  one process of a data-parallel job
     * @param totalSteps   the run's length
     */
    void begin(boolean resumed, boolean carriesState, boolean distributed, long totalSteps, Parameters params) {
        if (resumed) {
            throw new IllegalArgumentException("--dump-steps records a run from its first step, and cannot be combined with --resume: start a new run (another --out) with --dump-steps");
        }
        if (carriesState) {
            throw new IllegalArgumentException("--dump-steps: stream mode carries the recurrent state from batch to batch, which the replay does not: use --data-mode sentences, bpe-blocks or words");
        }
        if (distributed) {
            throw new IllegalArgumentException("--dump-steps records a single-process run: run it without mpirun");
        }
        if (steps > totalSteps) {
            throw new IllegalArgumentException("--dump-steps " + steps + " is more than the run's " + totalSteps + " steps: lower --dump-steps to at most " + totalSteps
                    + " (or raise --max-steps or --epochs)");
        }
        long bytes = (keep == Weights.EVERY ? steps : 1) * params.trainableCount() * Float.BYTES;
        if (bytes > Runtime.getRuntime().maxMemory() / 4) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--dump-steps %d keeps the weights after every step (%.0f MB) in memory: add --dump-weights last "
                    + "(the weights after step %d only), or run with a larger -Xmx in DSF4J_JAVA_OPTS", steps, bytes / 1e6, steps));
        }
        initial = params.copy();
    }

    /** Whether {@link #record} needs the weights after {@code step} (1-based). */
    boolean wantsWeightsAfter(long step) {
        return keep == Weights.EVERY || step == steps;
    }

    /**
     * Step {@code step} (1-based, at most K) is done.
     *
     * @param params the weights after it when {@link #wantsWeightsAfter}, else ignored; read only (copied)
     */
    void record(long step, Batch b, double rate, double stepLoss, double norm, Parameters params) {
        int i = Math.toIntExact(step) - 1;
        if (i != batches.size()) throw new IllegalStateException("step " + step + " recorded after " + batches.size() + " steps");
        batches.add(new Batch(b.batch(), b.steps(), b.input().clone(), b.target().clone()));
        lr[i] = rate;
        loss[i] = stepLoss;
        gradNorm[i] = norm;
        if (wantsWeightsAfter(step)) {
            List<Tensor> ts = new ArrayList<>();
            for (Tensor t : params) if (t.trainable()) ts.add(new Tensor(t.name(), t.shape().clone(), t.data().clone(), true));
            after.put((int) step, new Parameters(ts));
        }
    }

    /** What was recorded, as the file to write once step K is done. */
    StepsFile file(ModelConfig model, TrainConfig train, String engine, Provenance provenance) {
        if (batches.size() != steps) throw new IllegalStateException(batches.size() + " of " + steps + " steps recorded");
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("engine", engine);
        extra.put("weights", keep.name().toLowerCase(Locale.ROOT));
        extra.put("provenance", provenance.toJson());
        return new StepsFile(model, TrainConfigJson.toJson(train), initial, batches, lr, loss, gradNorm, after, extra);
    }
}
