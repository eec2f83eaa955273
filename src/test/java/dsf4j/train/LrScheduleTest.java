package dsf4j.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LrScheduleTest {

    @Test
    void constant() {
        LrSchedule s = LrSchedule.parse("const", 0.01, 10, 100);
        assertEquals(0.01, s.at(0));
        assertEquals(0.01, s.at(99));
    }

    /** The authors' PTB schedule: 30 epochs of 100 steps, ×0.1 after epochs 10 and 20. */
    @Test
    void stepAtEpochs() {
        LrSchedule s = LrSchedule.parse("step:10,20:0.1", 1e-3, 100, 3000);
        assertEquals(1e-3, s.at(0));
        assertEquals(1e-3, s.at(999));
        assertEquals(1e-4, s.at(1000), 1e-18);
        assertEquals(1e-4, s.at(1999), 1e-18);
        assertEquals(1e-5, s.at(2000), 1e-18);
        assertEquals(1e-5, s.at(2999), 1e-18);
        assertEquals(LrSchedule.parse("step:10,20", 1e-3, 100, 3000).at(1500), 1e-4, 1e-18);
    }

    /** The authors' WikiText-103 schedule: 10% linear warm-up then cosine to 0.1·lr, over 1000 steps. */
    @Test
    void warmupThenCosineToAFloor() {
        LrSchedule s = LrSchedule.parse("cosine:0.1:0.1", 1e-3, 50, 1000);
        assertEquals(1e-5, s.at(0), 1e-18);                 // 1/100 of lr
        assertEquals(5e-4, s.at(49), 1e-18);                // 50/100
        assertEquals(1e-3, s.at(99), 1e-18);                // end of warm-up: the peak
        assertEquals(1e-3, s.at(100), 1e-18);               // the cosine starts at the peak
        assertEquals(0.55e-3, s.at(549), 2e-6);            // half way (449 of 899 cosine steps): (lr + floor)/2
        assertEquals(1e-4, s.at(999), 1e-18);               // ends at the floor
        assertEquals(1e-4, s.at(5000), 1e-18);              // and stays there
        for (long t = 100; t < 999; t++) assertTrue(s.at(t + 1) <= s.at(t), "decreasing after warm-up");
        assertEquals(LrSchedule.parse("cosine", 1e-3, 50, 1000).at(300), s.at(300));
    }

    @Test
    void malformedSpecsAreOneLineErrors() {
        for (String bad : new String[] {"cos", "step", "step:a", "step:0", "cosine:1.5:0.1", "cosine:0.1", "const:1", "step:10:-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse(bad, 1e-3, 10, 100), bad);
            assertTrue(e.getMessage().startsWith("malformed --schedule '" + bad + "': use const, step:"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("const", 0, 10, 100));
    }
}
