package dsf4j.engine;

import dsf4j.config.DsfSolver;
import dsf4j.config.ModelConfig;
import dsf4j.engine.cuda.CudaEngine;
import dsf4j.engine.reference.ReferenceEngine;

import java.lang.reflect.InvocationTargetException;

/** Builds an {@link Engine} by name, for the command line and the trainer. */
public final class Engines {

    /** The engine names {@link #create} knows. */
    public static final String NAMES = "reference, fast or cuda";

    /** Where the fast engine lives; it is looked up at run time so a build without it still works. */
    static final String FAST_CLASS = "dsf4j.engine.fast.FastEngine";

    private Engines() {}

    /**
     * @param engine  {@code reference} (double precision, single thread), {@code fast} (float32, Vector API)
     *                or {@code cuda} (NVIDIA GPU, TF32 GEMMs)
     * @param threads worker threads for engines that parallelise (the reference engine ignores it)
     */
    public static Engine create(String engine, ModelConfig config, DsfSolver solver, int threads) {
        return create(engine, config, solver, threads, true);
    }

    /**
     * @param tf32 the cuda engine's GEMMs on TF32 tensor cores (the paper's setting); false for exact
     *             float32 (ignored by the CPU engines)
     */
    public static Engine create(String engine, ModelConfig config, DsfSolver solver, int threads, boolean tf32) {
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1 (got " + threads + ")");
        return switch (engine.toLowerCase()) {
            case "reference" -> new ReferenceEngine(config, solver);
            case "fast" -> fast(config, solver, threads);
            case "cuda" -> new CudaEngine(config, solver, tf32);
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "': use " + NAMES);
        };
    }

    /** The fast engine, expected as {@code FastEngine(ModelConfig, DsfSolver, int threads)}. */
    private static Engine fast(ModelConfig config, DsfSolver solver, int threads) {
        try {
            Class<?> c = Class.forName(FAST_CLASS);
            return (Engine) c.getConstructor(ModelConfig.class, DsfSolver.class, int.class).newInstance(config, solver, threads);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new IllegalArgumentException("the fast engine is not available in this build: use --engine reference");
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException("the fast engine failed to start: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the fast engine failed to start: " + e, e);
        }
    }
}
