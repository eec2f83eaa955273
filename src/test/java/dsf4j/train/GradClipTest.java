package dsf4j.train;

import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GradClipTest {

    private static Parameters grads() {
        return new Parameters(List.of(
                new Tensor("a", new int[] {2}, new float[] {3f, 0f}, true),
                new Tensor("b", new int[] {1}, new float[] {4f}, true),
                new Tensor("lambda", new int[] {1}, new float[] {100f}, false)));
    }

    @Test
    void globalNormCountsTrainableTensorsOnly() {
        assertEquals(5.0, GradClip.globalNorm(grads()), 0);
    }

    @Test
    void clipsToTheLimitAndReturnsTheNormBefore() {
        Parameters g = grads();
        assertEquals(5.0, GradClip.clip(g, 1.0), 0);
        float s = (float) (1.0 / (5.0 + 1e-6));
        assertArrayEquals(new float[] {3f * s, 0f}, g.data("a"), 0);
        assertArrayEquals(new float[] {4f * s}, g.data("b"), 0);
        assertEquals(1.0, GradClip.globalNorm(g), 1e-6);
        assertArrayEquals(new float[] {100f}, g.data("lambda"), 0);
    }

    @Test
    void leavesSmallGradientsAndDisabledClippingAlone() {
        Parameters g = grads();
        GradClip.clip(g, 10.0);
        assertArrayEquals(new float[] {3f, 0f}, g.data("a"), 0);
        GradClip.clip(g, 0);
        assertArrayEquals(new float[] {4f}, g.data("b"), 0);
    }
}
