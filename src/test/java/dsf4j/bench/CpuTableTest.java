package dsf4j.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** bench/cpu_table.py (plain Python 3) on two runs of the alternated comparison: what measure-cpu.sh's table says of them. */
class CpuTableTest {

    @Test
    void twoRunsOfOneProductArePooledRoundByRoundAndTheirSpreadShown(@TempDir Path dir) throws Exception {
        var slow = new GemmVsOpenBlas.Product("256,8192,768", "NN", 1, "Cooperlake", 150, 170, 0.88, 0.86, new double[] {0.88, 0.86, 0.91});
        var fast = new GemmVsOpenBlas.Product("256,8192,768", "NN", 1, "Cooperlake", 168, 170, 0.99, 0.97, new double[] {0.97, 0.99, 1.00});
        Files.writeString(dir.resolve("duel-512.jsonl"), GemmVsOpenBlas.jsonLine(slow) + "\n" + GemmVsOpenBlas.jsonLine(fast) + "\n");
        String table = cpuTable(dir);
        // median of the six rounds (0.86 0.88 0.91 0.97 0.99 1.00) = 0.94; runs' medians 88% and 99%; GFLOP/s medians of the runs
        assertTrue(table.contains("| 256,8192,768 | NN | 1 | 159 / 170 (94%, runs 88–99%) |"), table);
        assertTrue(table.contains("2 runs (JVMs) pooled, 6 rounds in all"), table);
        assertTrue(table.contains("512 bits vs OpenBLAS: 94% (95%, 1 of 1 products under)"), table);
    }

    @Test
    void oneRunIsShownWithItsLowestRound(@TempDir Path dir) throws Exception {
        var p = new GemmVsOpenBlas.Product("128,256,768", "TN", 2, "Cooperlake", 300, 250, 1.2, 1.1, new double[] {1.2, 1.1, 1.3});
        Files.writeString(dir.resolve("duel-256.jsonl"), GemmVsOpenBlas.jsonLine(p) + "\n");
        String table = cpuTable(dir);
        assertTrue(table.contains("| 128,256,768 | TN | 2 | 300 / 250 (120%, 110%) |"), table);
    }

    private static String cpuTable(Path dir) throws Exception {
        Process python;
        try {
            python = new ProcessBuilder("python3", "bench/cpu_table.py", dir.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "no python3 here: " + e.getMessage());
            throw e;
        }
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(python.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, python.exitValue(), out);
        return out;
    }
}
