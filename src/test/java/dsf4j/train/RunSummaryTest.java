package dsf4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class RunSummaryTest {

    @Test
    void picksTheBestValidationAndTheTestRow(@TempDir Path dir) throws Exception {
        try (Metrics m = Metrics.open(dir, -1)) {
            m.add(new Metrics.Row("train", 10, 1, Math.log(300), 1e-3, 1, 100, 60));
            m.add(new Metrics.Row("valid", 10, 1, Math.log(250), Double.NaN, Double.NaN, Double.NaN, 61));
            m.add(new Metrics.Row("valid", 20, 1, Math.log(200), Double.NaN, Double.NaN, Double.NaN, 120));
            m.add(new Metrics.Row("valid", 30, 2, Math.log(210), Double.NaN, Double.NaN, Double.NaN, 180));
            m.add(new Metrics.Row("test", 20, 1, Math.log(190), Double.NaN, Double.NaN, Double.NaN, 240));
        }
        RunSummary s = RunSummary.of(dir);
        assertEquals(200, s.bestValidPpl(), 1e-3);   // metrics.csv keeps the loss to 6 decimals
        assertEquals(20, s.bestStep());
        assertEquals(190, s.testPpl(), 1e-3);
        assertEquals(30, s.steps());
        assertEquals(240, s.seconds(), 1e-9);
        assertTrue(s.markdownRow().contains("| 200.00 | 20 | 190.00 | 30 | 4 min |"), s.markdownRow());
    }

    @Test
    void aFolderWithoutMetricsIsAClearError(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunSummary.of(dir));
        assertTrue(e.getMessage().contains("metrics.csv"));
    }
}
