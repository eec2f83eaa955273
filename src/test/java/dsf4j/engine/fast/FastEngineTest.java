package dsf4j.engine.fast;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engine;
import dsf4j.engine.GradientProbe;
import dsf4j.engine.reference.ReferenceEngine;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast engine (float32, Vector API) against the reference engine (double): the same loss, and every
 * parameter gradient within a relative (norm-wise) error of 1e-4, for every cell × block × method and
 * every DSF solver. Tagged "width": surefire runs it again at each forced vector width.
 */
@Tag("width")
class FastEngineTest {

    // H = 20 exercises the vector body and the scalar tail at every width; 2 layers the depth path.
    static ModelConfig config(CellType cell, BlockType block) {
        return new ModelConfig(cell, block, 2, 20, 37, 0, LambdaInit.DEFAULT);
    }

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (CellType c : CellType.values()) for (BlockType b : BlockType.values()) for (Method m : methods()) out.add(Arguments.of(c, b, m));
        return out;
    }

    /** The paper's three, and a hybrid whose last window is shorter than the others at T = 7. */
    static List<Method> methods() {
        List<Method> m = new ArrayList<>(Method.values());
        m.add(Method.hybrid(3));
        return m;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void gradientsMatchTheReference(CellType cell, BlockType block, Method method) {
        compare(config(cell, block), method, DsfSolver.SCAN, 3, 7);
    }

    @ParameterizedTest(name = "dsf solver {0}")
    @MethodSource("solvers")
    void everyDsfSolverMatchesTheReference(DsfSolver solver) {
        compare(config(CellType.GRU, BlockType.RESIDUAL), Method.DSF, solver, 4, 13);
        compare(config(CellType.LSTM, BlockType.TRANSFORMER), Method.DSF, solver, 2, 9);
        compare(config(CellType.GRU, BlockType.RESIDUAL), Method.hybrid(4), solver, 4, 13);   // DSF kept at the windows' ends
        compare(config(CellType.LSTM, BlockType.TRANSFORMER), Method.hybrid(2), solver, 2, 9);
    }

    static DsfSolver[] solvers() {
        return DsfSolver.values();
    }

    private static void compare(ModelConfig config, Method method, DsfSolver solver, int b, int steps) {
        Parameters params = ParamLayout.init(config, 11);
        perturbNorms(params);
        Batch batch = GradientProbe.randomBatch(config, b, steps, 5);
        Parameters ref = params.zerosLike(), fast = params.zerosLike();
        double refLoss = new ReferenceEngine(config, solver).lossAndGradient(params, batch, method, ref);
        double fastLoss;
        try (FastEngine engine = new FastEngine(config, solver, 2)) {
            fastLoss = engine.lossAndGradient(params, batch, method, fast);
        }
        assertEquals(refLoss, fastLoss, 1e-5 * Math.abs(refLoss), "loss");
        for (Tensor t : ref) {
            float[] f = fast.data(t.name());
            double diff = 0, norm = 0;
            for (int i = 0; i < f.length; i++) {
                double r = t.data()[i];
                diff += (f[i] - r) * (f[i] - r);
                norm += r * r;
            }
            if (!t.trainable()) {
                assertEquals(0, diff, t.name() + " (a buffer) must get no gradient");
                continue;
            }
            assertTrue(norm > 0, t.name() + ": the reference gradient is zero, the test would prove nothing");
            double rel = Math.sqrt(diff / norm);
            assertTrue(rel < 1e-4, () -> config.cell() + " " + config.block() + " " + method + " " + t.name() + ": relative error " + rel);
        }
    }

    /** LayerNorm weights of 1 and biases of 0 would hide a swapped γ/β; make them generic. */
    private static void perturbNorms(Parameters params) {
        java.util.Random r = new java.util.Random(2);
        for (Tensor t : params) {
            if (t.name().contains("norm") || t.name().endsWith(".bias")) {
                for (int i = 0; i < t.size(); i++) t.data()[i] += (float) (0.1 * r.nextGaussian());
            }
        }
    }

    @Test
    void resultsAreBitwiseIdenticalAtOneAndTwoThreads() {
        for (CellType cell : CellType.values()) {
            ModelConfig config = new ModelConfig(cell, BlockType.TRANSFORMER, 2, 36, 500, 0, LambdaInit.DEFAULT);
            Parameters params = ParamLayout.init(config, 3);
            Batch batch = GradientProbe.randomBatch(config, 9, 11, 4);
            for (Method m : List.of(Method.BPTT, Method.FTBPTT, Method.DSF, Method.hybrid(4))) {
                Parameters g1 = params.zerosLike(), g2 = params.zerosLike();
                double l1, l2;
                try (FastEngine one = new FastEngine(config, DsfSolver.SCAN, 1); FastEngine two = new FastEngine(config, DsfSolver.SCAN, 2)) {
                    l1 = one.lossAndGradient(params, batch, m, g1);
                    l2 = two.lossAndGradient(params, batch, m, g2);
                }
                assertEquals(l1, l2, 0.0, cell + " " + m + " loss");
                for (Tensor t : g1) assertArrayEquals(t.data(), g2.data(t.name()), 0f, cell + " " + m + " " + t.name());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void streamModeCarriesTheStateLikeTheReference(CellType cell, BlockType block, Method method) {
        ModelConfig config = config(cell, block);
        Parameters params = ParamLayout.init(config, 12);
        perturbNorms(params);
        int b = 18, steps = 5;   // more rows than one BPTT task takes (16): row offsets into the carried state matter
        float[][] refState = new float[config.layers()][b * config.stateSize()], fastState = new float[config.layers()][b * config.stateSize()];
        ReferenceEngine ref = new ReferenceEngine(config, DsfSolver.SCAN);
        try (FastEngine fast = new FastEngine(config, DsfSolver.SCAN, 2)) {
            for (int k = 0; k < 2; k++) {              // the second batch starts from the first one's last state
                Batch batch = GradientProbe.randomBatch(config, b, steps, 20 + k);
                Parameters rg = params.zerosLike(), fg = params.zerosLike();
                double rl = ref.lossAndGradient(params, batch, method, rg, refState);
                double fl = fast.lossAndGradient(params, batch, method, fg, fastState);
                assertEquals(rl, fl, 1e-5 * Math.abs(rl), "loss of batch " + k);
                for (int l = 0; l < config.layers(); l++) assertArrayEquals(refState[l], fastState[l], 1e-5f, "state of layer " + l);
                for (Tensor t : rg) {
                    if (!t.trainable()) continue;
                    double diff = 0, norm = 0;
                    for (int i = 0; i < t.size(); i++) {
                        double r = t.data()[i], f = fg.data(t.name())[i];
                        diff += (f - r) * (f - r);
                        norm += r * r;
                    }
                    double rel = Math.sqrt(diff / norm);
                    assertTrue(rel < 1e-4, () -> cell + " " + block + " " + method + " " + t.name() + ": relative error " + rel);
                }
            }
            Batch batch = GradientProbe.randomBatch(config, b, steps, 30);
            Engine.LossSum re = ref.evaluate(params, batch, refState), fe = fast.evaluate(params, batch, fastState);
            assertEquals(re.sum(), fe.sum(), 1e-5 * Math.abs(re.sum()));
        }
    }

    @Test
    void evaluateAndStepperAgreeWithTheReference() {
        for (CellType cell : CellType.values()) {
            ModelConfig config = config(cell, BlockType.TRANSFORMER);
            Parameters params = ParamLayout.init(config, 8);
            Batch batch = GradientProbe.randomBatch(config, 3, 5, 6);
            ReferenceEngine ref = new ReferenceEngine(config, DsfSolver.SCAN);
            try (FastEngine fast = new FastEngine(config, DsfSolver.SCAN, 2)) {
                Engine.LossSum a = ref.evaluate(params, batch), b = fast.evaluate(params, batch);
                assertEquals(a.count(), b.count());
                assertEquals(a.sum(), b.sum(), 1e-5 * Math.abs(a.sum()));
                Engine.Stepper rs = ref.stepper(params, 3), fs = fast.stepper(params, 3);
                float[] rl = new float[3 * config.vocab()], fl = new float[3 * config.vocab()];
                for (int t = 0; t < 5; t++) {
                    int[] tokens = {batch.input()[t], batch.input()[5 + t], batch.input()[10 + t]};
                    rs.step(tokens, rl);
                    fs.step(tokens, fl);
                    assertArrayEquals(rl, fl, 1e-4f, cell + " step " + t);
                }
            }
        }
    }

    /**
     * FastEngine.memoryEstimate against what a training step really holds: every primitive array reachable
     * from the engine's workspace and kernels (shared arrays counted once), walked by reflection.
     */
    @Test
    void theMemoryEstimateCountsEveryBufferOfTheWorkspace() throws Exception {
        for (CellType cell : CellType.values()) {
            for (BlockType block : BlockType.values()) {
                ModelConfig config = new ModelConfig(cell, block, 2, 24, 3000, 0, LambdaInit.DEFAULT);
                Parameters params = ParamLayout.init(config, 3);
                Batch batch = GradientProbe.randomBatch(config, 5, 40, 4);
                long held;
                try (FastEngine engine = new FastEngine(config, DsfSolver.FFT, Parallel.defaultThreads())) {
                    engine.lossAndGradient(params, batch, Method.DSF, params.zerosLike());
                    java.util.Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                    held = 0;
                    for (String f : new String[] {"ws", "gemm", "norm", "gelu"}) {
                        java.lang.reflect.Field field = FastEngine.class.getDeclaredField(f);
                        field.setAccessible(true);
                        held += bytesReachable(field.get(engine), seen);
                    }
                }
                long estimate = FastEngine.memoryEstimate(config, 5, 40).engine();
                assertEquals(held, estimate, cell + " " + block + ": estimated engine bytes");
            }
        }
    }

    /** Bytes of the primitive arrays reachable from o through fields of dsf4j.engine.fast classes and object arrays. */
    private static long bytesReachable(Object o, java.util.Set<Object> seen) throws IllegalAccessException {
        if (o == null || !seen.add(o)) return 0;
        Class<?> c = o.getClass();
        if (c.isArray()) {
            Class<?> e = c.getComponentType();
            int n = java.lang.reflect.Array.getLength(o);
            if (e == float.class || e == int.class) return 4L * n;
            if (e == double.class || e == long.class) return 8L * n;
            if (e.isPrimitive()) return n;
            long sum = 0;
            for (int i = 0; i < n; i++) sum += bytesReachable(java.lang.reflect.Array.get(o, i), seen);
            return sum;
        }
        if (!c.getName().startsWith("dsf4j.engine.fast.")) return 0;
        long sum = 0;
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (java.lang.reflect.Field f : k.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.isSynthetic() || f.getType().isPrimitive()) continue;   // synthetic: an inner class's outer instance
                f.setAccessible(true);
                sum += bytesReachable(f.get(o), seen);
            }
        }
        return sum;
    }
}
