package dsf4j.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The N-machine model: the ring all-reduce's volume, the efficiency, where it falls under 90%. */
class ScalingModelTest {

    /** 1 s steps, 100 MB of gradient, B 128, the full line rate, no latency. */
    static final ScalingModel M = new ScalingModel(1.0, 100_000_000L, 128, 1.0, 0);

    @Test
    void aRingAllReduceMovesTwiceTheGradientTimesNMinusOneOverN() {
        assertEquals(0, M.allReduceSeconds(1, 10));
        assertEquals(2.0 * 1 / 2 * 100e6 / 1.25e9, M.allReduceSeconds(2, 10), 1e-12, "N = 2: the gradient once, 80 ms at 10 Gb/s");
        assertEquals(2.0 * 7 / 8 * 100e6 / 12.5e9, M.allReduceSeconds(8, 100), 1e-12);
        ScalingModel withLatency = new ScalingModel(1.0, 100_000_000L, 128, 0.5, 1e-3);
        assertEquals(2.0 * 3 / 4 * 100e6 / (0.5 * 1.25e9) + 6e-3, withLatency.allReduceSeconds(4, 10), 1e-12, "η and 2(N−1) latencies");
    }

    @Test
    void efficiencyIsTheShareOfTheStepSpentComputing() {
        assertEquals(1.0, M.efficiency(1, 10));
        double tc = 1.0 / 4, tar = 1.5 * 100e6 / 1.25e9;
        assertEquals(tc / (tc + tar), M.efficiency(4, 10), 1e-12);
        assertTrue(M.efficiency(16, 10) < M.efficiency(4, 10) && M.efficiency(16, 100) > M.efficiency(16, 10), "falls with N, rises with the link");
    }

    @Test
    void theFirstNUnderNinetyPercentIsADivisorOfTheBatchOrNever() {
        int n = M.firstBelow(0.9, 10);
        assertEquals(2, n, "80 ms of all-reduce against 500 ms of compute: 86%");
        int fast = M.firstBelow(0.9, 100);
        assertEquals(0, 128 % fast);
        assertTrue(M.efficiency(fast, 100) < 0.9 && M.efficiency(fast / 2, 100) >= 0.9, "N = " + fast);
        assertEquals(0, new ScalingModel(1e6, 1, 128, 1, 0).firstBelow(0.9, 10), "a huge step: never, down to one sequence per machine");
    }

    @Test
    void theTablePrintsARowPerPreset() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, Double> steps = new LinkedHashMap<>();
        steps.put("ptb-gru-3l256", 0.64);
        ScalingModel.print(steps, new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("| ptb-gru-3l256 | 0.64 s | 25.3 MB |"), table);
        assertEquals(4, table.lines().count(), table);
    }
}
