package dsf4j.engine;

import dsf4j.config.DsfSolver;
import dsf4j.config.ModelConfig;
import dsf4j.engine.cuda.CudaEngine;
import dsf4j.engine.fast.FastEngine;
import dsf4j.engine.reference.ReferenceEngine;

/** Builds an {@link Engine} by name, for the command line and the trainer. */
public final class Engines {

    /** The engine names {@link #create} knows. */
    public static final String NAMES = "reference, fast or cuda";

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
            case "fast" -> new FastEngine(config, solver, threads);
            case "cuda" -> new CudaEngine(config, solver, tf32);
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "': use " + NAMES);
        };
    }

    /**
     * The heap {@code engine} needs to train {@code config} on batches of {@code batch} × {@code seq}
     * (see {@link MemoryEstimate}); the fast engine counts its own workspace. For
     * cuda, only the host's share (the trainer's copies and a batch of ids): the device's memory is
     * the engine's to check.
     */
    public static MemoryEstimate memoryEstimate(String engine, ModelConfig config, int batch, int seq) {
        return switch (engine.toLowerCase()) {
            case "reference" -> MemoryEstimate.reference(config, batch, seq);
            case "fast" -> FastEngine.memoryEstimate(config, batch, seq);
            case "cuda" -> MemoryEstimate.withEngine(config, 8L * batch * seq);
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "': use " + NAMES);
        };
    }

    /**
     * Refuses, before anything is allocated, a run whose buffers would not fit in this JVM's heap
     * or in Java arrays.
     *
     * @throws IllegalArgumentException with the estimate and the -Xmx that would fit
     */
    public static void requireMemory(String engine, ModelConfig config, int batch, int seq) {
        MemoryEstimate.requireArraySizes(config, batch, seq);
        MemoryEstimate need = memoryEstimate(engine, config, batch, seq);
        Runtime rt = Runtime.getRuntime();
        if (need.refusal(rt.maxMemory(), rt.totalMemory() - rt.freeMemory()) == null) return;
        System.gc();   // what is in use may be garbage from reading the corpus: measure again
        String refusal = need.refusal(rt.maxMemory(), rt.totalMemory() - rt.freeMemory());
        if (refusal != null) throw new IllegalArgumentException(refusal);
    }
}
