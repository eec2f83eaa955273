package dsf4j.engine.cuda;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Where there is no GPU (CI, this project's build machines), asking for the cuda engine fails with
 * one line that names what is missing and the fix: an IllegalArgumentException, which the CLI
 * prints as one line with exit status 2. Skipped on a machine where CUDA works.
 */
class CudaUnavailableTest {

    @Test
    void withoutAGpuTheEngineRefusesInOneLine() {
        assumeFalse(CudaRuntime.available(), "CUDA works here, so there is no unavailability to check");
        ModelConfig c = new ModelConfig(CellType.GRU, BlockType.RESIDUAL, 1, 4, 7, 0, LambdaInit.parse("linspace:0:1"));
        IllegalArgumentException e = assertThrows(CudaUnavailableException.class, () -> new CudaEngine(c, DsfSolver.SCAN, true));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("--engine reference"), e.getMessage());
        // the same answer again, without retrying the load
        assertThrows(CudaUnavailableException.class, CudaRuntime::get);
    }
}
