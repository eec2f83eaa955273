package dsf4j.engine.reference;

import dsf4j.TestData;
import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.grad.DiagonalSolver;
import dsf4j.io.GradsFile;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The outside oracle: golden files whose losses and gradients PyTorch computed in float64 (BPTT by
 * autograd; FT-BPTT and DSF by the authors' mechanism, a backward hook on the cell re-run over B·T).
 * Regenerate with src/test/python/make_golden.sh.
 */
class TorchGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"rnn-residual", "rnn-transformer", "gru-residual", "gru-transformer", "lstm-residual", "lstm-transformer",
            "mingru-residual", "mingru-transformer"})
    void referenceEngineMatchesPyTorch(String name) throws Exception {
        GradsFile golden = GradsFile.read(Path.of(getClass().getResource("/golden/torch-" + name + ".safetensors").toURI()));
        assertTrue(golden.extra().get("engine").startsWith("pytorch"), "the golden file comes from PyTorch");
        assertEquals(List.of(Method.BPTT, Method.FTBPTT, Method.DSF), golden.methods());
        Parameters weights = toParameters(golden);
        for (Method m : golden.methods()) {
            ReferenceModel model = new ReferenceModel(golden.config(), weights);
            double loss = model.lossAndGradient(golden.batch(), m, DiagonalSolver.of(DsfSolver.FFT));
            assertEquals(golden.losses().get(m), loss, 1e-13 * loss, m + " loss");
            for (Map.Entry<String, double[]> g : golden.grads().get(m).entrySet()) {
                double err = TestData.relativeError(g.getValue(), model.grad(g.getKey()));
                assertTrue(err < 1e-12, m + " " + g.getKey() + ": relative error " + err);
            }
            assertEquals(golden.grads().get(m).size(), model.names().stream().filter(model::isTrainable).count());
        }
    }

    /** The golden weights are float32 values stored as F64, so the narrowing is exact. */
    static Parameters toParameters(GradsFile f) {
        List<Tensor> ts = new ArrayList<>();
        f.params().forEach((name, values) -> {
            float[] data = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                data[i] = (float) values[i];
                assertEquals(values[i], data[i], 0.0, name + " is float-representable");
            }
            ts.add(new Tensor(name, f.shapes().get(name), data, !name.endsWith(".lambda")));
        });
        return new Parameters(ts);
    }
}
