package dsf4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The metrics files survive a kill at any moment: what a resume keeps is on disk before the first new row. */
class MetricsTest {

    @TempDir
    Path dir;

    private void writeSteps(int n) throws IOException {
        try (Metrics m = Metrics.open(dir, -1)) {
            for (int s = 1; s <= n; s++) m.add(new Metrics.Row("train", s, 0, 2.0, 1e-3, 1.0, 100, s));
        }
    }

    @Test
    void aResumeRewritesTheKeptRowsAtOnceNotAtTheFirstFlush() throws IOException {
        writeSteps(5);
        Metrics resumed = Metrics.open(dir, 3);   // a kill -9 from here on must leave these rows
        assertEquals(4, Files.readAllLines(dir.resolve(Metrics.CSV)).size(), "header and steps 1-3, before any flush");
        assertEquals(3, Files.readAllLines(dir.resolve(Metrics.JSONL)).size());
        assertEquals(List.of(1L, 2L, 3L), Metrics.read(dir.resolve(Metrics.CSV)).stream().map(Metrics.Row::step).toList());
        resumed.close();
    }

    @Test
    void aFreshRunHasItsHeaderOnDiskAtOnceAndAnEmptyFileLeftByAKillResumesWithNoRows() throws IOException {
        Metrics fresh = Metrics.open(dir, -1);
        assertEquals(List.of(), Metrics.read(dir.resolve(Metrics.CSV)));
        fresh.close();
        Files.write(dir.resolve(Metrics.CSV), new byte[0]);   // what an older dsf4j killed at the wrong moment left
        try (Metrics m = Metrics.open(dir, 7)) {
            m.add(new Metrics.Row("train", 8, 0, 2.0, 1e-3, 1.0, 100, 8));
        }
        assertEquals(List.of(8L), Metrics.read(dir.resolve(Metrics.CSV)).stream().map(Metrics.Row::step).toList());
    }
}
