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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the three methods relate on the whole model. */
class MethodRelationsTest {

    @ParameterizedTest
    @CsvSource({"RNN,RESIDUAL,SCAN", "GRU,TRANSFORMER,SCAN", "LSTM,RESIDUAL,PREFIX", "GRU,RESIDUAL,PREFIX", "MINGRU,RESIDUAL,SCAN"})
    void dsfWithLambdaZeroIsFtBpttExactly(CellType cell, BlockType block, DsfSolver solver) {
        ModelConfig config = TestData.config(cell, block, 2, 4, LambdaInit.parse("const:0"));
        Parameters w = ParamLayout.init(config, 2);
        Batch batch = TestData.batch(config.vocab(), 3, 7, 1);
        ReferenceModel dsf = new ReferenceModel(config, w), ft = new ReferenceModel(config, w);
        assertEquals(ft.lossAndGradient(batch, Method.FTBPTT, null), dsf.lossAndGradient(batch, Method.DSF, DiagonalSolver.of(solver)));
        for (String name : dsf.names()) assertArrayEquals(ft.grad(name), dsf.grad(name), 0.0, name);
    }

    @ParameterizedTest
    @CsvSource({"GRU,RESIDUAL", "LSTM,TRANSFORMER", "RNN,RESIDUAL", "MINGRU,TRANSFORMER"})
    void theThreeSolversGiveTheSameGradient(CellType cell, BlockType block) {
        ModelConfig config = TestData.config(cell, block, 2, 4, LambdaInit.DEFAULT);
        Parameters w = ParamLayout.init(config, 3);
        Batch batch = TestData.batch(config.vocab(), 2, 40, 4);
        ReferenceModel scan = new ReferenceModel(config, w);
        scan.lossAndGradient(batch, Method.DSF, DiagonalSolver.of(DsfSolver.SCAN));
        for (DsfSolver other : new DsfSolver[] {DsfSolver.PREFIX, DsfSolver.FFT}) {
            ReferenceModel m = new ReferenceModel(config, w);
            m.lossAndGradient(batch, Method.DSF, DiagonalSolver.of(other));
            for (String name : m.names()) {
                double err = TestData.relativeError(scan.grad(name), m.grad(name));
                assertTrue(err < 1e-10, other + " " + name + ": relative error " + err);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"GRU,RESIDUAL", "LSTM,TRANSFORMER"})
    void methodsDifferOnlyInTheRecurrentPath(CellType cell, BlockType block) {
        // The head sees no recurrence: its gradient is the same for every method, while the
        // recurrent weights' gradients differ (DSF sits between FT-BPTT and BPTT).
        ModelConfig config = TestData.config(cell, block, 1, 4, LambdaInit.DEFAULT);
        Parameters w = ParamLayout.init(config, 6);
        Batch batch = TestData.batch(config.vocab(), 2, 8, 2);
        ReferenceModel[] m = new ReferenceModel[3];
        for (Method method : Method.values()) {
            m[method.ordinal()] = new ReferenceModel(config, w);
            m[method.ordinal()].lossAndGradient(batch, method, DiagonalSolver.of(DsfSolver.SCAN));
        }
        for (int i = 1; i < 3; i++) {
            assertArrayEquals(m[0].grad("head.weight"), m[i].grad("head.weight"), 1e-15);
            assertTrue(TestData.relativeError(m[0].grad("layers.0.rnn.weight_hh"), m[i].grad("layers.0.rnn.weight_hh")) > 1e-6);
        }
    }
}
