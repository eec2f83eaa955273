package dsf4j.train;

import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AdamTest {

    private static Parameters params() {
        return new Parameters(List.of(
                new Tensor("w", new int[] {2}, new float[] {1f, -2f}, true),
                new Tensor("layers.0.rnn.lambda", new int[] {2}, new float[] {0f, 1f}, false)));
    }

    private static Parameters grads(float a, float b) {
        return new Parameters(List.of(
                new Tensor("w", new int[] {2}, new float[] {a, b}, true),
                new Tensor("layers.0.rnn.lambda", new int[] {2}, new float[] {5f, 5f}, false)));
    }

    /**
     * lr 0.1, wd 0.01, coupled (torch.optim.Adam(weight_decay=0.01)), by hand for w[0]:
     * step 1: g = 0.5 + 0.01·1 = 0.51, m = 0.051, v = 0.0002601, m̂ = 0.51, √v̂ = 0.51, w = 1 − 0.1 = 0.9;
     * step 2: g = −0.3 + 0.01·0.9 = −0.291, m = 0.0459 − 0.0291 = 0.0168, v = 0.00025984 + 0.0000846810 = 0.00034452,
     *         m̂ = 0.0168/0.19 = 0.0884211, √v̂ = √(0.00034452/0.001999) = 0.415147, w = 0.9 − 0.1·0.0884211/0.415147 = 0.878701.
     */
    @Test
    void coupledL2MatchesHandComputedSteps() {
        Parameters p = params();
        Adam adam = new Adam(p, OptimizerKind.ADAM, 0.01);
        adam.step(p, grads(0.5f, 0.1f), 0.1);
        assertArrayEquals(new float[] {0.9f, -2.1f}, p.data("w"), 1e-6f);
        assertArrayEquals(new float[] {0.051f, 0.008f}, adam.firstMoments().data("w"), 1e-7f);
        assertArrayEquals(new float[] {0.0002601f, 6.4e-6f}, adam.secondMoments().data("w"), 1e-9f);
        adam.step(p, grads(-0.3f, 0.2f), 0.1);
        assertArrayEquals(new float[] {0.8787012f, -2.195272f}, p.data("w"), 1e-6f);
        assertEquals(2, adam.steps());
        assertArrayEquals(new float[] {0f, 1f}, p.data("layers.0.rnn.lambda"), "λ is a buffer: never updated");
    }

    /** AdamW: θ·(1 − 0.1·0.01) = 0.999·θ beside the plain Adam step; step 1 for w[0]: 0.999 − 0.1 = 0.899. */
    @Test
    void decoupledWeightDecayMatchesHandComputedSteps() {
        Parameters p = params();
        Adam adam = new Adam(p, OptimizerKind.ADAMW, 0.01);
        adam.step(p, grads(0.5f, 0.1f), 0.1);
        assertArrayEquals(new float[] {0.899f, -2.098f}, p.data("w"), 1e-6f);
        adam.step(p, grads(-0.3f, 0.2f), 0.1);
        assertArrayEquals(new float[] {0.8789512f, -2.1924202f}, p.data("w"), 1e-6f);
        assertArrayEquals(new float[] {0.015f, 0.029f}, adam.firstMoments().data("w"), 1e-7f);
    }

    @Test
    void momentsCoverOnlyTrainableTensors() {
        Adam adam = new Adam(params(), OptimizerKind.ADAM, 0);
        assertEquals(List.of("w"), adam.firstMoments().list().stream().map(Tensor::name).toList());
    }
}
