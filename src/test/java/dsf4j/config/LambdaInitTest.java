package dsf4j.config;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LambdaInitTest {

    @Test
    void parsesTheThreeForms() {
        float[] l = new float[5];
        LambdaInit.parse("linspace:0:1").fill(l, new Random(0));
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1}, l);
        LambdaInit.parse("const:0.5").fill(l, new Random(0));
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, l);
        LambdaInit.parse("uniform:0.2:0.4").fill(l, new Random(0));
        for (float v : l) assertTrue(v >= 0.2f && v <= 0.4f);
        assertEquals("linspace:0:1", LambdaInit.parse("linspace:0:1").toString());
        assertEquals("uniform:0.2:0.9", LambdaInit.parse("uniform:0.2:0.9").toString());
    }

    @Test
    void rejectsMalformedAndOutOfRangeSpecsWithAMessageThatSaysWhatToWrite() {
        for (String bad : new String[] {"linspace:0", "linspace:a:b", "gauss:0:1", "const:1.5", "uniform:-0.1:0.5", "linspace:1:0", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LambdaInit.parse(bad), bad);
            assertTrue(e.getMessage().contains("linspace") || e.getMessage().contains("[0, 1]") || e.getMessage().contains("A > B"), e.getMessage());
        }
    }
}
