package dsf4j.engine.fast;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-machine file of {@code bench --tune gemm}: where it goes, that runs pick it up, and what is refused. */
class TunedBlockingTest {

    @TempDir
    Path dir;
    private String saved;

    @BeforeEach
    void pointTheCacheHere() {
        saved = System.getProperty("dsf4j.gemm.dir");
        System.setProperty("dsf4j.gemm.dir", dir.toString());
    }

    @AfterEach
    void restore() {
        if (saved == null) System.clearProperty("dsf4j.gemm.dir");
        else System.setProperty("dsf4j.gemm.dir", saved);
    }

    @Test
    void aTunedBlockingIsUsedByLaterRunsOnTheSameMachineAndWidthOnly() throws IOException {
        CpuInfo cpu = GemmModelTest.XEON;
        String key = TunedBlocking.key(cpu, 512);
        Path file = TunedBlocking.file(key);
        assertEquals(dir, file.getParent());
        assertTrue(file.getFileName().toString().matches("gemm-[0-9a-f]{12}\\.properties"), file.toString());
        GemmBlocking tuned = new GemmBlocking(8, 2, 16, 384, 888, 2048);
        TunedBlocking.write(file, key, tuned, List.of("written by a test"));
        GemmChoice c = GemmChoice.resolve(cpu, "", 512, 16);
        assertEquals(tuned, c.blocking());
        assertTrue(c.source().startsWith("tuned (") && c.describe().contains(file.toString()), c.describe());
        assertEquals("model", GemmChoice.resolve(cpu, "model", 512, 16).source());
        assertEquals(GemmModel.choose(cpu, 8), GemmChoice.resolve(cpu, "", 256, 8).blocking());          // another width
        assertEquals(GemmModel.choose(GemmModelTest.ZEN4, 16), GemmChoice.resolve(GemmModelTest.ZEN4, "", 512, 16).blocking());
    }

    @Test
    void aFileForAnotherKeyOrWithABadBlockingIsRefusedAndTheModelUsed() throws IOException {
        CpuInfo cpu = GemmModelTest.XEON;
        String key = TunedBlocking.key(cpu, 512);
        Path file = TunedBlocking.file(key);
        assertNull(TunedBlocking.read(file, key, 16));
        TunedBlocking.write(file, "another machine", new GemmBlocking(6, 2, 16, 64, 60, 64), List.of());
        assertThrows(IllegalArgumentException.class, () -> TunedBlocking.read(file, key, 16));
        assertEquals(GemmModel.choose(cpu, 16), GemmChoice.resolve(cpu, "", 512, 16).blocking());
        Files.writeString(file, "key=" + key.replace("\\", "\\\\") + "\nblocking=7x2 kc=64\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TunedBlocking.read(file, key, 16));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals("model", GemmChoice.resolve(cpu, "", 512, 16).source());
    }
}
