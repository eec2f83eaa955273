package dsf4j.engine.fast;

import dsf4j.TestData;
import dsf4j.cli.Main;
import dsf4j.config.DsfSolver;
import dsf4j.config.Method;
import dsf4j.io.GradsFile;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast engine against the outside oracle (PyTorch float64 golden files: BPTT by autograd, FT-BPTT
 * and DSF by the authors' hook), and the {@code grads --engine fast} command against {@code --engine reference}.
 */
@Tag("width")
class FastGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"rnn-residual", "rnn-transformer", "gru-residual", "gru-transformer", "lstm-residual", "lstm-transformer",
            "mingru-residual", "mingru-transformer"})
    void fastEngineMatchesPyTorch(String name) throws Exception {
        GradsFile golden = GradsFile.read(Path.of(getClass().getResource("/golden/torch-" + name + ".safetensors").toURI()));
        Parameters weights = toParameters(golden);
        for (DsfSolver solver : DsfSolver.values()) {
            try (FastEngine engine = new FastEngine(golden.config(), solver, 2)) {
                for (Method m : golden.methods()) {
                    if (solver != DsfSolver.SCAN && m != Method.DSF) continue;
                    Parameters grads = weights.zerosLike();
                    double loss = engine.lossAndGradient(weights, golden.batch(), m, grads);
                    assertEquals(golden.losses().get(m), loss, 1e-5 * Math.abs(loss), m + " loss");
                    for (Map.Entry<String, double[]> g : golden.grads().get(m).entrySet()) {
                        double err = TestData.relativeError(g.getValue(), widen(grads.data(g.getKey())));
                        assertTrue(err < 1e-4, name + " " + m + " " + solver + " " + g.getKey() + ": relative error " + err);
                    }
                }
            }
        }
    }

    @Test
    void gradsCommandWritesTheSameFileWithTheFastEngine(@TempDir Path dir) {
        Path ref = dir.resolve("ref.safetensors"), fast = dir.resolve("fast.safetensors");
        String[] common = {"grads", "--cell", "lstm", "--block", "transformer", "--layers", "2", "--hidden", "12", "--vocab", "23",
                "--batch", "3", "--seq", "6"};
        assertEquals(0, Main.run(concat(common, "--engine", "reference", "--out", ref.toString())));
        assertEquals(0, Main.run(concat(common, "--engine", "fast", "--threads", "2", "--out", fast.toString())));
        GradsFile a = GradsFile.read(ref), b = GradsFile.read(fast);
        assertEquals(a.methods(), b.methods());
        assertEquals("fast", b.extra().get("engine"));
        for (Method m : a.methods()) {
            assertEquals(a.losses().get(m), b.losses().get(m), 1e-5 * Math.abs(a.losses().get(m)));
            assertEquals(a.grads().get(m).keySet(), b.grads().get(m).keySet());
            for (Map.Entry<String, double[]> g : a.grads().get(m).entrySet()) {
                double err = TestData.relativeError(g.getValue(), b.grads().get(m).get(g.getKey()));
                assertTrue(err < 1e-4, m + " " + g.getKey() + ": relative error " + err);
            }
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private static Parameters toParameters(GradsFile f) {
        List<Tensor> ts = new ArrayList<>();
        f.params().forEach((name, values) -> {
            float[] data = new float[values.length];
            for (int i = 0; i < values.length; i++) data[i] = (float) values[i];
            ts.add(new Tensor(name, f.shapes().get(name), data, !name.endsWith(".lambda")));
        });
        return new Parameters(ts);
    }
}
