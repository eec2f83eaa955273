package dsf4j.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code bench} says about the machine, and its refusals. */
class BenchCliTest {

    @Test
    void machinePrintsTheCachesTheWidthAndTheBlockingInUse() {
        TrainCliTest.Outcome o = TrainCliTest.cli("bench", "--machine");
        assertEquals(0, o.status(), o.err());
        String[] lines = o.out().strip().split("\n");
        assertEquals(2, lines.length, o.out());
        assertTrue(lines[0].startsWith("machine: ") && lines[0].contains("L1d ") && lines[0].contains("L2 "), lines[0]);
        assertTrue(lines[1].startsWith("vectors ") && lines[1].contains("GEMM blocking ") && lines[1].contains(" kc="), lines[1]);
    }

    @Test
    void onlyTheGemmCanBeTuned() {
        BadInputTest.refused(2, "--tune cells: only --tune gemm exists", "bench", "--tune", "cells");
    }

    @Test
    void theOpenBlasComparisonNeedsAtLeastOneRoundOfSomeSeconds() {
        BadInputTest.refused(2, "--vs-openblas: --rounds must be at least 1 and --seconds above 0", "bench", "--vs-openblas", "--rounds", "0");
        BadInputTest.refused(2, "--vs-openblas: --rounds must be at least 1 and --seconds above 0", "bench", "--vs-openblas", "--seconds", "0");
    }
}
