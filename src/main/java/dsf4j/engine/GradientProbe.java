package dsf4j.engine;

import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.reference.ReferenceModel;
import dsf4j.grad.DiagonalSolver;
import dsf4j.io.GradsFile;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds a model and a batch from one seed and takes the loss and gradient of each method: what the
 * {@code grads} command writes, for golden files, debugging and teaching.
 */
public final class GradientProbe {

    private GradientProbe() {}

    /**
     * A random batch: inputs uniform over the non-pad ids, targets uniform with about one in five set
     * to the pad id (never all of them).
     */
    public static Batch randomBatch(ModelConfig config, int batch, int steps, long seed) {
        Random rng = new Random(seed ^ 0x9E3779B97F4A7C15L);
        int v = config.vocab(), pad = config.padId();
        int[] in = new int[batch * steps], tg = new int[batch * steps];
        for (int i = 0; i < in.length; i++) {
            do in[i] = rng.nextInt(v); while (in[i] == pad);
            do tg[i] = rng.nextInt(v); while (tg[i] == pad);
            if (pad >= 0 && i > 0 && rng.nextInt(5) == 0) tg[i] = pad;
        }
        return new Batch(batch, steps, in, tg);
    }

    /**
     * @param engine null for the reference model in double precision (every number is then a double
     *               computation), or an engine whose float32 gradients are widened to double
     */
    public static GradsFile run(ModelConfig config, long seed, int batchSize, int steps, List<Method> methods,
                                DsfSolver solver, Engine engine, Map<String, String> extra) {
        return run(config, ParamLayout.init(config, seed), randomBatch(config, batchSize, steps, seed), methods, solver, engine, extra);
    }

    /**
     * The same with given weights and batch (a trained checkpoint's, a batch of its data).
     *
     * @param params read only
     */
    public static GradsFile run(ModelConfig config, Parameters params, Batch batch, List<Method> methods,
                                DsfSolver solver, Engine engine, Map<String, String> extra) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<String, double[]> values = new LinkedHashMap<>();
        for (Tensor t : params) {
            shapes.put(t.name(), t.shape());
            values.put(t.name(), widen(t.data()));
        }
        Map<Method, Double> losses = new LinkedHashMap<>();
        Map<Method, Map<String, double[]>> grads = new LinkedHashMap<>();
        for (Method m : methods) {
            Map<String, double[]> g = new LinkedHashMap<>();
            if (engine == null) {
                ReferenceModel model = new ReferenceModel(config, params);
                losses.put(m, model.lossAndGradient(batch, m, DiagonalSolver.of(solver)));
                for (Tensor t : params) if (t.trainable()) g.put(t.name(), model.grad(t.name()).clone());
            } else {
                Parameters out = params.zerosLike();
                losses.put(m, engine.lossAndGradient(params, batch, m, out));
                for (Tensor t : out) if (t.trainable()) g.put(t.name(), widen(t.data()));
            }
            grads.put(m, g);
        }
        return new GradsFile(config, shapes, values, batch, losses, grads, extra);
    }

    private static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
