package dsf4j.engine.fast;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parallel-for is not re-entrant, and says so instead of deadlocking or overwriting the running loop. */
class ParallelTest {

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2})
    void aBodyThatCallsForEachOnItsOwnInstanceGetsAnIllegalStateException(int threads) {
        try (Parallel p = new Parallel(threads)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.forEach(4, (task, worker) -> p.forEach(2, (t, w) -> {})));
            assertTrue(e.getMessage().contains("re-entered"), e.getMessage());
            AtomicInteger ran = new AtomicInteger();
            p.forEach(8, (task, worker) -> ran.incrementAndGet());   // the instance is usable again afterwards
            assertEquals(8, ran.get());
        }
    }
}
