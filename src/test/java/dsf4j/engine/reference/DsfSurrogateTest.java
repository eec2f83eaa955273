package dsf4j.engine.reference;

import dsf4j.TestData;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.grad.DiagonalSolver;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DSF and FT-BPTT over the whole model, against an independent construction. Freeze every layer's
 * true states s*_t (from one forward at θ₀) and run instead the surrogate recurrence
 * <pre>
 *   ŝ_t = f(s*_{t−1}, x_t; θ) + λ ⊙ (ŝ_{t−1} − s*_{t−1}),   ŝ_{−1} = s*_{−1} = 0.
 * </pre>
 * At θ₀ it has the same values as the model (ŝ = s*). Its exact Jacobian ∂ŝ_t/∂ŝ_{t−1} is diag(λ), and
 * its local derivatives are those of f at the true s*_{t−1}: so the exact gradient of the surrogate
 * loss at θ₀, taken here by finite differences, is by definition the DSF gradient (eq. 12–13), and with
 * λ = 0 the FT-BPTT gradient. The x-gradients flowing to lower layers are included, so this checks
 * how the approximation compounds with depth too.
 */
class DsfSurrogateTest {

    /** The model with every layer's recurrence replaced by the surrogate above, once states are frozen. */
    static final class Surrogate extends ReferenceModel {
        private final DMatrixRMaj[][] frozen;   // per layer: s*_{t−1} for t = 0 … T (index 0 is s_{−1} = 0)
        private final boolean zeroLambda;

        Surrogate(ModelConfig config, Parameters weights, boolean zeroLambda) {
            super(config, weights);
            this.frozen = new DMatrixRMaj[config.layers()][];
            this.zeroLambda = zeroLambda;
        }

        @Override
        protected DMatrixRMaj[] runRecurrence(int l, DMatrixRMaj[] xs, DMatrixRMaj s0) {
            if (frozen[l] == null) {                         // the first forward, at θ₀: record s*
                DMatrixRMaj[] s = super.runRecurrence(l, xs, s0);
                frozen[l] = new DMatrixRMaj[s.length + 1];
                frozen[l][0] = new DMatrixRMaj(s[0].numRows, s[0].numCols);
                for (int t = 0; t < s.length; t++) frozen[l][t + 1] = s[t].copy();
                return s;
            }
            double[] lambda = param("layers." + l + ".rnn.lambda");
            int d = lambda.length;
            DMatrixRMaj[] out = new DMatrixRMaj[xs.length];
            DMatrixRMaj prev = frozen[l][0];
            for (int t = 0; t < xs.length; t++) {
                DMatrixRMaj star = frozen[l][t];
                out[t] = new DMatrixRMaj(star.numRows, d);
                cellOf(l).forward(xs[t], star, out[t]);
                for (int c = 0; c < out[t].data.length; c++) {
                    double lam = zeroLambda ? 0 : lambda[c % d];
                    out[t].data[c] += lam * (prev.data[c] - star.data[c]);
                }
                prev = out[t];
            }
            return out;
        }
    }

    @ParameterizedTest
    @CsvSource({"RNN,RESIDUAL,DSF", "GRU,RESIDUAL,DSF", "LSTM,RESIDUAL,DSF",
            "RNN,TRANSFORMER,DSF", "GRU,TRANSFORMER,DSF", "LSTM,TRANSFORMER,DSF",
            "GRU,RESIDUAL,FTBPTT", "LSTM,RESIDUAL,FTBPTT", "RNN,TRANSFORMER,FTBPTT", "GRU,TRANSFORMER,FTBPTT",
            "MINGRU,RESIDUAL,DSF", "MINGRU,TRANSFORMER,FTBPTT"})
    void gradientEqualsTheSurrogatesExactGradient(CellType cell, BlockType block, Method method) {
        ModelConfig config = TestData.config(cell, block, 3, 4, LambdaInit.parse("uniform:0.2:1"));
        Parameters weights = ParamLayout.init(config, 21);
        Batch batch = TestData.batch(config.vocab(), 2, 6, 8);

        ReferenceModel model = new ReferenceModel(config, weights);
        BpttFiniteDifferenceTest.sharpen(model);
        Parameters sharp = copyInto(weights, model);
        ReferenceModel analytic = new ReferenceModel(config, sharp);
        double loss = analytic.lossAndGradient(batch, method, DiagonalSolver.of(DsfSolver.SCAN));

        Surrogate surrogate = new Surrogate(config, sharp, method == Method.FTBPTT);
        assertEquals(loss, surrogate.loss(batch), 1e-14, "freezing at θ₀ changes nothing");
        for (String name : surrogate.names()) {
            if (!surrogate.isTrainable(name)) continue;
            double[] numeric = FiniteDifferences.gradient(surrogate.param(name), () -> surrogate.loss(batch));
            double err = TestData.relativeError(analytic.grad(name), numeric);
            assertTrue(err < 1e-6, method + " " + name + ": relative error " + err);
        }
    }

    /** The weights of a model, as float32 Parameters again (exact: the test weights are then used as-is by both). */
    static Parameters copyInto(Parameters layout, ReferenceModel model) {
        Parameters p = layout.copy();
        for (var t : p) {
            double[] src = model.param(t.name());
            for (int i = 0; i < src.length; i++) {
                t.data()[i] = (float) src[i];
                src[i] = t.data()[i];
            }
        }
        return p;
    }
}
