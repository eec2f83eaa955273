package dsf4j.engine.reference;

import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engine;
import dsf4j.grad.DiagonalSolver;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.ejml.data.DMatrixRMaj;

/**
 * The {@link Engine} over {@link ReferenceModel}: float32 weights in, computed in double, float32
 * gradients out. Slow and plain on purpose; the engine every other one is tested against.
 */
public final class ReferenceEngine implements Engine {

    private final ModelConfig config;
    private final DiagonalSolver solver;

    public ReferenceEngine(ModelConfig config, DsfSolver solver) {
        this.config = config;
        this.solver = DiagonalSolver.of(solver);
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public double lossAndGradient(Parameters params, Batch batch, Method method, Parameters grads) {
        return lossAndGradient(params, batch, method, grads, null);
    }

    @Override
    public double lossAndGradient(Parameters params, Batch batch, Method method, Parameters grads, float[][] state) {
        ReferenceModel model = new ReferenceModel(config, params);
        double[][] s = widen(state);
        double loss = model.lossAndGradient(batch, method, solver, s);
        narrowInto(s, state);
        for (Tensor g : grads) {
            double[] src = model.grad(g.name());
            float[] dst = g.data();
            for (int i = 0; i < dst.length; i++) dst[i] = (float) src[i];
        }
        return loss;
    }

    @Override
    public LossSum evaluate(Parameters params, Batch batch) {
        return evaluate(params, batch, null);
    }

    @Override
    public LossSum evaluate(Parameters params, Batch batch, float[][] state) {
        double[][] s = widen(state);
        LossSum sum = new ReferenceModel(config, params).evaluate(batch, s);
        narrowInto(s, state);
        return sum;
    }

    @Override
    public long meanJacobianDiagonal(Parameters params, Batch batch, float[][] state, double[][] out) {
        return new ReferenceModel(config, params).meanJacobianDiagonal(batch, widen(state), out);
    }

    private static double[][] widen(float[][] state) {
        if (state == null) return null;
        double[][] d = new double[state.length][];
        for (int l = 0; l < state.length; l++) {
            d[l] = new double[state[l].length];
            for (int i = 0; i < d[l].length; i++) d[l][i] = state[l][i];
        }
        return d;
    }

    private static void narrowInto(double[][] src, float[][] dst) {
        if (src == null) return;
        for (int l = 0; l < src.length; l++) {
            for (int i = 0; i < src[l].length; i++) dst[l][i] = (float) src[l][i];
        }
    }

    @Override
    public Stepper stepper(Parameters params, int batch) {
        ReferenceModel model = new ReferenceModel(config, params);
        return new Stepper() {
            private DMatrixRMaj[] states;   // per layer s_{t−1}, [B, D]; null = 0

            @Override
            public void step(int[] tokens, float[] logits) {
                ReferenceModel.Pass p = model.forward(new Batch(batch, 1, tokens, new int[batch]), states);
                states = p.finalStates;
                for (int i = 0; i < logits.length; i++) logits[i] = (float) p.logits.data[i];
            }

            @Override
            public void reset() {
                states = null;
            }
        };
    }
}
