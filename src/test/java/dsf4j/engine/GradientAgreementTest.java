package dsf4j.engine;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.io.GradsFile;
import dsf4j.model.Batch;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GradientAgreementTest {

    static final ModelConfig TWO_LAYERS = new ModelConfig(CellType.GRU, BlockType.TRANSFORMER, 2, 6, 9, 0, LambdaInit.DEFAULT);

    @Test
    void cosineAndNormRatioPerGroupTopDown() {
        Map<String, double[]> exact = new LinkedHashMap<>(), approx = new LinkedHashMap<>();
        exact.put("embedding.weight", new double[] {1, 0});
        approx.put("embedding.weight", new double[] {0, 3});          // orthogonal, 3× as long
        exact.put("layers.0.rnn.weight_hh", new double[] {1, 2});
        approx.put("layers.0.rnn.weight_hh", new double[] {-2, -4});  // opposite, 2× as long
        exact.put("layers.1.rnn.weight_hh", new double[] {3, 4});
        approx.put("layers.1.rnn.weight_hh", new double[] {3, 0});
        exact.put("layers.1.rnn.bias_hh", new double[] {0});
        approx.put("layers.1.rnn.bias_hh", new double[] {4});         // the group is both tensors together
        exact.put("head.weight", new double[] {5});
        approx.put("head.weight", new double[] {5});
        Map<Method, Map<String, double[]>> grads = new LinkedHashMap<>();
        grads.put(Method.BPTT, exact);
        grads.put(Method.DSF, approx);
        Map<Method, Double> losses = new LinkedHashMap<>();
        losses.put(Method.BPTT, 1.0);
        losses.put(Method.DSF, 1.0);
        GradsFile f = new GradsFile(TWO_LAYERS, Map.of(), Map.of(), new Batch(1, 1, new int[] {1}, new int[] {1}), losses, grads, Map.of());

        List<GradientAgreement> a = GradientAgreement.of(f);
        assertEquals(List.of("head", "layers.1", "layers.0", "embedding"), a.stream().map(GradientAgreement::group).toList());
        double[][] expected = {{1, 1}, {9 / (5 * 5.0), 5 / 5.0}, {-1, 2}, {0, 3}};   // layers.1: ⟨(3,0,4),(3,4,0)⟩ = 9, ‖·‖ = 5 each
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i][0], a.get(i).cosine(), 1e-12, a.get(i).group());
            assertEquals(expected[i][1], a.get(i).normRatio(), 1e-12, a.get(i).group());
        }
    }

    /** The head sees no recurrence: its gradient is BPTT's in every method; λ = 0 makes DSF FT-BPTT. */
    @Test
    void theHeadIsExactAndDsfWithLambdaZeroAgreesLikeFtBptt() {
        ModelConfig zero = new ModelConfig(CellType.LSTM, BlockType.RESIDUAL, 2, 6, 9, 0, LambdaInit.parse("const:0"));
        GradsFile f = GradientProbe.run(zero, 3, 2, 8, List.of(Method.BPTT, Method.FTBPTT, Method.DSF), DsfSolver.SCAN, null, Map.of());
        List<GradientAgreement> a = GradientAgreement.of(f);
        for (GradientAgreement g : a) {
            if (g.group().equals("head")) {
                assertEquals(1, g.cosine(), 1e-12, g.method().id());
                assertEquals(1, g.normRatio(), 1e-12, g.method().id());
            }
        }
        List<GradientAgreement> ft = a.stream().filter(g -> g.method() == Method.FTBPTT).toList(), dsf = a.stream().filter(g -> g.method() == Method.DSF).toList();
        assertEquals(ft.size(), dsf.size());
        for (int i = 0; i < ft.size(); i++) assertEquals(ft.get(i).cosine(), dsf.get(i).cosine(), 0, ft.get(i).group());
        // and the recurrent layers really differ from BPTT (the statistic is not trivially 1)
        assertEquals(true, ft.stream().anyMatch(g -> g.group().startsWith("layers.") && g.cosine() < 0.999999));
    }

    /**
     * A grads file with hybrid:K reads back with it (after the paper's methods), and the float32 form of the
     * measurement (the trainer's --log-alignment) agrees with the file's.
     */
    @Test
    void aHybridRoundTripsThroughTheGradsFileAndTheParametersFormAgrees(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Method hybrid = Method.hybrid(3);
        GradsFile f = GradientProbe.run(TWO_LAYERS, 4, 2, 8, List.of(hybrid, Method.BPTT), DsfSolver.SCAN, null, Map.of());
        java.nio.file.Path file = dir.resolve("g.safetensors");
        f.write(file);
        GradsFile back = GradsFile.read(file);
        assertEquals(List.of(Method.BPTT, hybrid), back.methods());
        List<GradientAgreement> fromFile = GradientAgreement.of(back);
        dsf4j.model.Parameters params = dsf4j.model.ParamLayout.init(TWO_LAYERS, 4), exact = params.zerosLike(), approx = params.zerosLike();
        for (dsf4j.model.Tensor t : params) {
            if (!t.trainable()) continue;
            double[] e = back.grads().get(Method.BPTT).get(t.name()), a = back.grads().get(hybrid).get(t.name());
            for (int i = 0; i < e.length; i++) {
                exact.data(t.name())[i] = (float) e[i];
                approx.data(t.name())[i] = (float) a[i];
            }
        }
        List<GradientAgreement> fromParams = GradientAgreement.of(exact, approx, hybrid, 2);
        assertEquals(fromFile.size(), fromParams.size());
        for (int i = 0; i < fromFile.size(); i++) {
            assertEquals(fromFile.get(i).group(), fromParams.get(i).group());
            assertEquals(fromFile.get(i).cosine(), fromParams.get(i).cosine(), 1e-6, fromFile.get(i).group());
            assertEquals(fromFile.get(i).normRatio(), fromParams.get(i).normRatio(), 1e-6, fromFile.get(i).group());
        }
    }
}
