package dsf4j.engine;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import dsf4j.model.ParamLayout;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryEstimateTest {

    /** The count computed without allocating equals the layout's, for every cell and block. */
    @Test
    void parameterCountMatchesTheLayout() {
        for (CellType cell : CellType.values()) {
            for (BlockType block : BlockType.values()) {
                ModelConfig c = new ModelConfig(cell, block, 2, 6, 13, 0, LambdaInit.DEFAULT);
                long n = 0;
                for (Tensor t : ParamLayout.init(c, 1)) n += t.size();
                assertEquals(n, MemoryEstimate.parameterCount(c), cell + " " + block);
            }
        }
    }

    @Test
    void theTrainerShareIsSixteenBytesPerParameterAndTheEngineShareGrowsWithTheBatch() {
        ModelConfig c = new ModelConfig(CellType.GRU, BlockType.TRANSFORMER, 3, 512, 16000, 0, LambdaInit.DEFAULT);
        long p = MemoryEstimate.parameterCount(c);
        MemoryEstimate a = MemoryEstimate.reference(c, 16, 255), b = MemoryEstimate.reference(c, 32, 255);
        assertEquals(16 * p, a.parameters() + a.gradients() + a.optimizer());
        assertEquals(a.engine() - 16 * p, (b.engine() - 16 * p) / 2, "activations are linear in the batch");
        MemoryEstimate fast = Engines.memoryEstimate("fast", c, 16, 255);
        assertEquals(dsf4j.engine.fast.FastEngine.memoryEstimate(c, 16, 255), fast, "the fast engine's own estimate");
        assertTrue(fast.engine() < a.engine() / 2, "float32 activations and a chunked head take less than half the reference's doubles");
        assertThrows(IllegalArgumentException.class, () -> Engines.memoryEstimate("tpu", c, 16, 255));
    }

    @Test
    void refusesWithTheEstimateAndAnXmxThatFits() {
        MemoryEstimate e = new MemoryEstimate(1L << 30, 1L << 30, 2L << 30, 6L << 30);   // 10 GiB
        assertNull(e.refusal(16L << 30, 1L << 30));
        assertEquals("this configuration needs about 10.0 GiB of heap (weights 1.0 GiB, gradient 1.0 GiB, Adam 2.0 GiB, engine 6.0 GiB) but the JVM has 7.0 GiB free "
                + "of -Xmx8g: run with DSF4J_JAVA_OPTS=-Xmx14g (if the machine has the memory), or lower --batch, --seq, --hidden or --layers",
                e.refusal(8L << 30, 1L << 30));
        assertEquals("768m", MemoryEstimate.xmx(MemoryEstimate.roundUp(600L << 20)));
    }
}
