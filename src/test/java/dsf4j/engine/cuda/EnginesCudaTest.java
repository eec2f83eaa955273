package dsf4j.engine.cuda;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** --dsf-solver is honoured or refused: the cuda engine has one DSF solver, the scan kernel, and says so before it looks for a GPU. */
    @ParameterizedTest
    @EnumSource(value = DsfSolver.class, names = {"PREFIX", "FFT"})
    void theCudaEngineRefusesTheSolversItHasNoKernelFor(DsfSolver solver) {
        ModelConfig c = new ModelConfig(CellType.GRU, BlockType.RESIDUAL, 1, 4, 7, 0, LambdaInit.parse("linspace:0:1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engines.create("cuda", c, solver, 1));
        assertEquals("--dsf-solver " + solver.id() + " is not on the cuda engine, which solves DSF's recurrence with one parallel scan kernel: "
                + "use --dsf-solver scan (prefix and fft run on --engine fast or reference)", e.getMessage());
    }
}
