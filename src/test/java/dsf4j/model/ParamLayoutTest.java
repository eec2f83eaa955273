package dsf4j.model;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ParamLayoutTest {

    static long count(CellType cell, BlockType block, int layers, int hidden, int vocab, boolean withEmbeddingAndHead) {
        Parameters p = ParamLayout.layout(new ModelConfig(cell, block, layers, hidden, vocab, 0, LambdaInit.DEFAULT));
        long n = p.trainableCount();
        if (!withEmbeddingAndHead) n -= p.get("embedding.weight").size() + p.get("head.weight").size() + p.get("head.bias").size();
        return n;
    }

    @Test
    void parameterCountsMatchThePapersConfigs() {
        // PAPER.md: PTB GRU 1L256 5.53M (0.39M without embedding and head), 3L256 6.32M (1.18M), vocab ≈ 10,003.
        assertEquals(394_752, count(CellType.GRU, BlockType.RESIDUAL, 1, 256, 10_003, false));
        assertEquals(1_184_256, count(CellType.GRU, BlockType.RESIDUAL, 3, 256, 10_003, false));
        assertEquals(5.53, count(CellType.GRU, BlockType.RESIDUAL, 1, 256, 10_003, true) / 1e6, 0.005);
        assertEquals(6.32, count(CellType.GRU, BlockType.RESIDUAL, 3, 256, 10_003, true) / 1e6, 0.005);
        assertEquals(39.39, count(CellType.GRU, BlockType.RESIDUAL, 3, 1024, 10_003, true) / 1e6, 0.005);
        // WikiText-103 transformer-like, V = 16k: GRU 3L512 28.22M (11.82M), 12L512 63.69M, RNN 25.07M, LSTM 30.58M.
        assertEquals(11.82, count(CellType.GRU, BlockType.TRANSFORMER, 3, 512, 16_000, false) / 1e6, 0.005);
        assertEquals(28.22, count(CellType.GRU, BlockType.TRANSFORMER, 3, 512, 16_000, true) / 1e6, 0.005);
        assertEquals(63.69, count(CellType.GRU, BlockType.TRANSFORMER, 12, 512, 16_000, true) / 1e6, 0.005);
        assertEquals(25.07, count(CellType.RNN, BlockType.TRANSFORMER, 3, 512, 16_000, true) / 1e6, 0.005);
        assertEquals(30.58, count(CellType.LSTM, BlockType.TRANSFORMER, 3, 512, 16_000, true) / 1e6, 0.005);
    }

    @Test
    void namesAndShapesFollowPyTorch() {
        ModelConfig c = new ModelConfig(CellType.LSTM, BlockType.TRANSFORMER, 2, 8, 11, 0, LambdaInit.DEFAULT);
        Parameters p = ParamLayout.init(c, 1);
        assertArrayEquals(new int[] {11, 8}, p.get("embedding.weight").shape());
        assertArrayEquals(new int[] {32, 8}, p.get("layers.1.rnn.weight_ih").shape());
        assertArrayEquals(new int[] {32, 8}, p.get("layers.1.rnn.weight_hh").shape());
        assertArrayEquals(new int[] {32}, p.get("layers.0.rnn.bias_hh").shape());
        assertArrayEquals(new int[] {16}, p.get("layers.0.rnn.lambda").shape());
        assertArrayEquals(new int[] {8, 16}, p.get("layers.0.proj.weight").shape());
        assertArrayEquals(new int[] {32, 8}, p.get("layers.0.mlp.fc1.weight").shape());
        assertArrayEquals(new int[] {8, 32}, p.get("layers.0.mlp.fc2.weight").shape());
        assertArrayEquals(new int[] {8}, p.get("norm.weight").shape());
        assertArrayEquals(new int[] {11, 8}, p.get("head.weight").shape());
        assertFalse(p.get("layers.0.rnn.lambda").trainable());
        assertFalse(ParamLayout.init(new ModelConfig(CellType.GRU, BlockType.RESIDUAL, 1, 8, 11, 0, LambdaInit.DEFAULT), 1).contains("layers.0.proj.weight"));
    }

    @Test
    void initFollowsTheAuthors() {
        ModelConfig c = new ModelConfig(CellType.GRU, BlockType.TRANSFORMER, 4, 64, 500, 0, LambdaInit.DEFAULT);
        Parameters p = ParamLayout.init(c, 7);
        assertEquals(0.02, std(p.data("embedding.weight")), 0.001);
        assertEquals(0.02, std(p.data("layers.0.mlp.fc1.weight")), 0.001);
        assertEquals(0.02 / Math.sqrt(8), std(p.data("layers.0.mlp.fc2.weight")), 0.0005);
        assertEquals(0.02 / Math.sqrt(8), std(p.data("layers.3.proj.weight")), 0.0005);
        float bound = (float) (1 / Math.sqrt(64));
        for (float v : p.data("layers.2.rnn.weight_hh")) assertTrue(Math.abs(v) <= bound);
        assertEquals(bound / Math.sqrt(3), std(p.data("layers.2.rnn.weight_hh")), 0.003);
        for (float v : p.data("layers.1.norm2.weight")) assertEquals(1f, v);
        for (float v : p.data("head.bias")) assertEquals(0f, v);
        float[] lambda = p.data("layers.0.rnn.lambda");
        assertEquals(0f, lambda[0]);
        assertEquals(1f, lambda[63]);
        assertEquals(1 / 63f, lambda[1], 1e-7);
    }

    @Test
    void theLayoutACheckpointFillsHasInitsNamesShapesAndFlagsInOrder() {
        for (CellType cell : CellType.values()) {
            for (BlockType block : BlockType.values()) {
                ModelConfig c = new ModelConfig(cell, block, 2, 6, 11, 0, LambdaInit.DEFAULT);
                java.util.Iterator<Tensor> init = ParamLayout.init(c, 7).iterator();
                for (Tensor t : ParamLayout.layout(c)) {
                    Tensor i = init.next();
                    assertEquals(i.name(), t.name());
                    assertArrayEquals(i.shape(), t.shape(), t.name());
                    assertEquals(i.trainable(), t.trainable(), t.name());
                }
                assertFalse(init.hasNext(), cell + " " + block);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameModel() {
        ModelConfig c = new ModelConfig(CellType.RNN, BlockType.RESIDUAL, 2, 5, 9, 0, LambdaInit.parse("uniform:0.5:1"));
        Parameters a = ParamLayout.init(c, 3), b = ParamLayout.init(c, 3), other = ParamLayout.init(c, 4);
        for (Tensor t : a) assertArrayEquals(t.data(), b.data(t.name()), 0f);
        assertNotEquals(a.data("head.weight")[0], other.data("head.weight")[0]);
    }

    static double std(float[] a) {
        double s = 0, s2 = 0;
        for (float v : a) {
            s += v;
            s2 += v * v;
        }
        double m = s / a.length;
        return Math.sqrt(s2 / a.length - m * m);
    }
}
