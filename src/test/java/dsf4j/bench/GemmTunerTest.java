package dsf4j.bench;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.fast.CpuInfo;
import dsf4j.engine.fast.Gemm;
import dsf4j.engine.fast.GemmModel;
import dsf4j.engine.fast.Simd;
import dsf4j.engine.fast.TunedBlocking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench --tune gemm}: it replays the GEMMs the engine really runs, and stores a blocking it measured. */
class GemmTunerTest {

    // GRU, 2 residual layers, H 16, V 40, batch 3, T 5: N = 15 rows.
    static final BenchPresets.Preset TINY = new BenchPresets.Preset("tiny",
            new ModelConfig(CellType.GRU, BlockType.RESIDUAL, 2, 16, 40, 0, LambdaInit.DEFAULT), 3, 5);

    @Test
    void theRecordedShapesAreTheEnginesOwnCallsWithTheirCounts() {
        Map<Gemm.Shape, Integer> dsf = StepBench.gemmShapes(TINY, List.of(Method.DSF), DsfSolver.SCAN);
        int n = 15, h = 16, g = 48, v = 40;
        assertEquals(2, dsf.get(new Gemm.Shape(false, true, n, g, h, false)), "the input projection X·W_ihᵀ, once per layer");
        assertEquals(2, dsf.get(new Gemm.Shape(true, false, g, h, n, true)), "dW_ih += dGᵀ·X, once per layer");
        assertEquals(1, dsf.get(new Gemm.Shape(false, true, n, v, h, false)), "the head's logits");
        assertEquals(2 * 4, dsf.get(new Gemm.Shape(false, true, 3, g, h, false, true)),
                "h_{t−1}·W_hhᵀ with W_hh packed once, at steps 1 … 4 of each layer (step 0's h_{−1} is 0)");
        int dsfCalls = dsf.values().stream().mapToInt(Integer::intValue).sum();
        Map<Gemm.Shape, Integer> both = StepBench.gemmShapes(TINY, List.of(Method.DSF, Method.BPTT), DsfSolver.SCAN);
        assertTrue(both.values().stream().mapToInt(Integer::intValue).sum() > 2 * dsfCalls - 1, "BPTT runs DSF's products and its own step loop's");
    }

    @Test
    void tuningStoresAMeasuredBlockingForThisMachineAndWidth(@TempDir Path dir) throws Exception {
        String saved = System.getProperty("dsf4j.gemm.dir");
        System.setProperty("dsf4j.gemm.dir", dir.toString());
        try {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            GemmTuner.Result r = GemmTuner.tune(TINY, List.of(Method.DSF), DsfSolver.SCAN, 2, new PrintStream(log, true, StandardCharsets.UTF_8), 0);
            String text = log.toString(StandardCharsets.UTF_8);
            assertEquals(GemmModel.choose(CpuInfo.current(), Simd.L), r.model().blocking());
            assertTrue(r.tried().stream().anyMatch(t -> t.blocking().equals(r.best().blocking())), "the stored blocking was measured");
            assertTrue(r.tried().size() >= 8, text);
            assertEquals(TunedBlocking.file(TunedBlocking.key(CpuInfo.current(), Simd.BITS)), r.file());
            String stored = Files.readString(r.file());
            assertTrue(stored.contains("blocking=" + r.best().blocking() + "\n") && stored.contains("# dsf4j GEMM blocking"), stored);
            assertTrue(text.contains("stored in " + r.file()), text);
        } finally {
            if (saved == null) System.clearProperty("dsf4j.gemm.dir");
            else System.setProperty("dsf4j.gemm.dir", saved);
        }
    }
}
