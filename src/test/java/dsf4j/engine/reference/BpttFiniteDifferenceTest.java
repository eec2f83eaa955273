package dsf4j.engine.reference;

import dsf4j.TestData;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.grad.DiagonalSolver;
import dsf4j.config.DsfSolver;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** eq. 11 is exact: BPTT equals the finite-difference gradient of the loss, every tensor. */
class BpttFiniteDifferenceTest {

    @ParameterizedTest
    @CsvSource({"RNN,RESIDUAL,3", "GRU,RESIDUAL,3", "LSTM,RESIDUAL,3", "MINGRU,RESIDUAL,3",
            "RNN,TRANSFORMER,2", "GRU,TRANSFORMER,2", "LSTM,TRANSFORMER,2", "MINGRU,TRANSFORMER,2"})
    void bpttEqualsFiniteDifferences(CellType cell, BlockType block, int layers) {
        ModelConfig config = TestData.config(cell, block, layers, 4, LambdaInit.DEFAULT);
        ReferenceModel model = new ReferenceModel(config, ParamLayout.init(config, 11));
        sharpen(model);
        Batch batch = TestData.batch(config.vocab(), 2, 5, 3);
        model.lossAndGradient(batch, Method.BPTT, DiagonalSolver.of(DsfSolver.SCAN));
        for (String name : model.names()) {
            if (!model.isTrainable(name)) continue;
            double[] analytic = model.grad(name).clone();
            double[] numeric = FiniteDifferences.gradient(model.param(name), () -> model.loss(batch));
            double err = TestData.relativeError(analytic, numeric);
            assertTrue(err < 1e-6, name + ": relative error " + err + " (|g| = " + TestData.norm(numeric) + ")");
            assertTrue(TestData.norm(numeric) > 0 || name.contains("bias"), name + " has no gradient at all");
        }
    }

    /**
     * The authors' init makes the non-recurrent weights tiny (N(0, 0.02)), so at init the loss barely
     * depends on the recurrence. Scaling them up makes the test see every path, including the long ones.
     */
    static void sharpen(ReferenceModel model) {
        java.util.Random rng = new java.util.Random(5);
        for (String name : model.names()) {
            if (!model.isTrainable(name) || name.contains("norm")) continue;
            double[] a = model.param(name);
            for (int i = 0; i < a.length; i++) a[i] = 0.6 * rng.nextGaussian();
        }
    }
}
