package dsf4j.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Method names as flags and files spell them, hybrid:K carrying its window, and the one-line errors. */
class MethodTest {

    @Test
    void namesRoundTripAndTheParameterlessMethodsAreSingleInstances() {
        for (Method m : Method.values()) assertSame(m, Method.parse(m.id()));
        assertSame(Method.FTBPTT, Method.parse("FT-BPTT"));
        assertSame(Method.DSF, Method.parse(" DSF "));
        Method h = Method.parse("hybrid:16");
        assertEquals(Method.Kind.HYBRID, h.kind());
        assertEquals(16, h.window());
        assertEquals("hybrid:16", h.id());
        assertEquals(h, Method.parse("HYBRID:16"));
        assertEquals(h, Method.hybrid(16));
        assertEquals(h.hashCode(), Method.hybrid(16).hashCode());
        assertNotEquals(h, Method.hybrid(4));
        assertNotEquals(Method.hybrid(1), Method.DSF, "hybrid:1 computes DSF's gradient but is its own name");
        assertEquals(0, Method.DSF.window());
    }

    @Test
    void onlyDsfAndTheHybridReadLambda() {
        assertTrue(Method.DSF.usesLambda() && Method.hybrid(3).usesLambda());
        assertFalse(Method.BPTT.usesLambda() || Method.FTBPTT.usesLambda());
    }

    @Test
    void badNamesAreOneLineErrorsThatSayWhatToWrite() {
        assertEquals("--method hybrid:0: the window K must be at least 1 (hybrid:1 is DSF, hybrid:T is BPTT)",
                assertThrows(IllegalArgumentException.class, () -> Method.parse("hybrid:0")).getMessage());
        for (String bad : new String[] {"hybrid", "hybrid:", "hybrid:x", "hybrid:-1", "hybrid:4:2", "hybrid4", "hybrid:1e3", "hybrid:99999999999"}) {
            String m = assertThrows(IllegalArgumentException.class, () -> Method.parse(bad), bad).getMessage();
            assertTrue(m.startsWith("malformed method '" + bad + "': write hybrid:K"), m);
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Method.parse("tbptt")).getMessage().contains("use bptt, ftbptt, dsf or hybrid:K"));
    }
}
