package dsf4j.train;

import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.data.Vocabulary;
import dsf4j.engine.DeviceTrainer;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.io.StepsFile;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Step-for-step equality with PyTorch, as llm.c holds its trainer to PyTorch: dsf4j's training step
 * (the engine's loss and gradient, global-norm clipping, Adam or AdamW at each step's rate: the
 * {@link Updater} the {@link Trainer} uses) run for the 20 steps of each golden file, from its initial
 * weights on its batches, gives PyTorch's loss and gradient norm at every step and PyTorch's weights
 * after the steps the file keeps (1, 2, 5, 10, 15, 20). The goldens are PyTorch's float32 replay of
 * dsf4j runs of tiny models (2 layers, H 4, V 10, random batches of 4 padded sentences, lr 0.01 with
 * warm-up and cosine, weight decay, clipping for the rnn): every cell × block × method, made by
 * src/test/python/make_steps_golden.sh with bench/pytorch_equivalence.py. Both runs go their own way
 * from the same start, nothing re-synchronised, so the differences are those of 20 steps.
 *
 * <p>Tolerances: what float32 reaches here is at most 3e-7 relative on the loss and 3e-6 on the
 * weights (README: "Step-for-step equality with PyTorch"); the test allows 1e-5 relative on the loss
 * and the norm and 2e-5 absolute on the weights: ten times the rounding, and tighter than the issue's
 * targets (1e-4, 1e-3). A wrong Adam step or a wrong DSF λ misses them by orders of magnitude.
 *
 * <p>One exception, measured and kept visible: the fast engine's FFT solver (float32) leaves rounding
 * noise of about 1e-9 in δ at the padded steps after a sentence's last target, where δ is exactly 0
 * (and is, in every other solver and in PyTorch). It reaches only the embedding rows of tokens that
 * never come before a target (&lt;pad&gt;, and &lt;eos&gt;, an input only after the last target): their true
 * gradient is exactly 0, and AdamW, which divides by √v, turns the noise into steps of up to lr
 * (weights 1e-2 apart after 20 steps, the loss unchanged: those rows never reach it). For that engine
 * and solver those rows are left out of the weight comparison, and only those.
 */
class PyTorchStepsTest {

    static final double LOSS_TOL = 1e-5, NORM_TOL = 1e-5, WEIGHT_TOL = 2e-5;

    /** The cells with goldens (a new cell: its goldens from make_steps_golden.sh, then its name here). */
    static final List<String> CELLS = List.of("rnn", "gru", "lstm", "mingru");

    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (String engine : List.of("reference", "fast")) {
            for (String cell : CELLS) {
                for (String block : List.of("residual", "transformer")) {
                    for (Method m : Method.values()) {
                        // DSF with every solver: the three must train alike
                        List<DsfSolver> solvers = m == Method.DSF ? List.of(DsfSolver.values()) : List.of(DsfSolver.SCAN);
                        for (DsfSolver s : solvers) out.add(Arguments.of(cell + "-" + block + "-" + m.id(), engine, s));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} on the {1} engine ({2})")
    @MethodSource("runs")
    void twentyTrainingStepsMatchPyTorchStepForStep(String run, String engine, DsfSolver solver) throws Exception {
        StepsFile golden = golden(run);
        assertTrue(golden.extra().getOrDefault("engine", "").startsWith("pytorch"), "the golden file comes from PyTorch");
        assertEquals(20, golden.steps());
        TrainConfig train = TrainConfigJson.fromJson(golden.train());
        Parameters params = golden.initial().copy();
        Adam adam = new Adam(params, train.optimizer(), train.weightDecay());
        Worst worst = new Worst();
        int[] skipped = engine.equals("fast") && solver == DsfSolver.FFT && train.method() == Method.DSF
                ? rowsNoTargetSees(golden.batches(), golden.config().padId()) : new int[0];
        if (skipped.length > 0) assertArrayEquals(new int[] {Vocabulary.PAD_ID, Vocabulary.EOS_ID}, skipped, "only <pad> and <eos> come after every target");
        try (Engine e = Engines.create(engine, golden.config(), solver, 1);
             Updater updater = Updater.of(e, params, adam, train.clip())) {
            for (int k = 1; k <= golden.steps(); k++) {
                DeviceTrainer.Update u = updater.step(golden.batches().get(k - 1), train.method(), golden.lr()[k - 1], null);
                worst.loss(k, relative(u.loss(), golden.loss()[k - 1]));
                worst.norm(k, relative(u.gradNorm(), golden.gradNorm()[k - 1]));
                Parameters torch = golden.weights().get(k);
                if (torch != null) worst.weights(k, maxAbsDifference(params, torch, skipped));
            }
        }
        String where = run + " on the " + engine + " engine: " + worst;
        assertTrue(worst.loss < LOSS_TOL, where);
        assertTrue(worst.norm < NORM_TOL, where);
        assertTrue(worst.weights < WEIGHT_TOL, where);
        assertEquals(6, worst.weightSteps, "weights compared after steps 1, 2, 5, 10, 15, 20");
    }

    static StepsFile golden(String run) throws URISyntaxException {
        var url = PyTorchStepsTest.class.getResource("/golden/steps-" + run + ".safetensors.gz");
        assertTrue(url != null, "golden file for " + run + ": make it with src/test/python/make_steps_golden.sh");
        return StepsFile.read(Path.of(url.toURI()));
    }

    /**
     * max |a − b| over every tensor of {@code torch} (the trainable ones), read from {@code ours} by name,
     * leaving out the embedding rows {@code skippedRows}.
     */
    static double maxAbsDifference(Parameters ours, Parameters torch, int[] skippedRows) {
        double d = 0;
        for (Tensor t : torch) {
            float[] a = ours.data(t.name()), b = t.data();
            int width = t.shape()[t.shape().length - 1];
            for (int i = 0; i < b.length; i++) {
                if (t.name().equals("embedding.weight") && contains(skippedRows, i / width)) continue;
                d = Math.max(d, Math.abs((double) a[i] - b[i]));
            }
        }
        return d;
    }

    /** The token ids that never occur as an input at or before a row's last non-pad target: no loss term depends on their embedding. */
    static int[] rowsNoTargetSees(List<Batch> batches, int padId) {
        java.util.BitSet seen = new java.util.BitSet(), all = new java.util.BitSet();
        for (Batch b : batches) {
            for (int r = 0; r < b.batch(); r++) {
                int last = -1;
                for (int t = 0; t < b.steps(); t++) if (b.target()[r * b.steps() + t] != padId) last = t;
                for (int t = 0; t < b.steps(); t++) {
                    all.set(b.input()[r * b.steps() + t]);
                    if (t <= last) seen.set(b.input()[r * b.steps() + t]);
                }
            }
        }
        all.andNot(seen);
        return all.stream().toArray();
    }

    private static boolean contains(int[] a, int x) {
        for (int v : a) if (v == x) return true;
        return false;
    }

    static double relative(double ours, double torch) {
        return Math.abs(ours - torch) / Math.abs(torch);
    }

    /** The largest difference of each kind over the run, and the step where it was. */
    static final class Worst {
        double loss, norm, weights;
        int lossStep, normStep, weightStep, weightSteps;

        void loss(int k, double d) {
            if (Double.isNaN(d) || d > loss) { loss = d; lossStep = k; }   // NaN is the worst, and stays
        }

        void norm(int k, double d) {
            if (Double.isNaN(d) || d > norm) { norm = d; normStep = k; }
        }

        void weights(int k, double d) {
            weightSteps++;
            if (Double.isNaN(d) || d > weights) { weights = d; weightStep = k; }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "worst loss difference %.2e (relative, step %d), gradient norm %.2e (step %d), weights %.2e (absolute, step %d)",
                    loss, lossStep, norm, normStep, weights, weightStep);
        }
    }
}
