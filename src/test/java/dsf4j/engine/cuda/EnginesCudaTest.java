package dsf4j.engine.cuda;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engines;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** {@code --engine cuda} through the factory where there is no GPU: the one-line refusal, an IllegalArgumentException (exit 2 in the CLI). */
class EnginesCudaTest {

    @Test
    void theFactoryKnowsCudaAndRefusesInOneLineWithoutAGpu() {
        assumeFalse(CudaRuntime.available(), "CUDA works here, so there is no refusal to check");
        ModelConfig c = new ModelConfig(CellType.GRU, BlockType.RESIDUAL, 1, 4, 7, 0, LambdaInit.parse("linspace:0:1"));
        assertThrows(CudaUnavailableException.class, () -> Engines.create("cuda", c, DsfSolver.SCAN, 1));
    }
}
