package dsf4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void createsThenReplaces() throws IOException {
        Path p = dir.resolve("ckpt.bin");
        AtomicFiles.write(p, out -> out.write("one".getBytes(StandardCharsets.UTF_8)));
        assertEquals("one", Files.readString(p));
        AtomicFiles.write(p, out -> out.write("two!".getBytes(StandardCharsets.UTF_8)));
        assertEquals("two!", Files.readString(p));
        assertEquals(List.of(p), listing());
    }

    @Test
    void anIoErrorMidwayKeepsThePreviousFileAndLeavesNoTemporary() throws IOException {
        Path p = dir.resolve("ckpt.bin");
        AtomicFiles.write(p, out -> out.write("good".getBytes(StandardCharsets.UTF_8)));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(p, out -> {
            out.write(new byte[200_000]);           // past the buffer: bytes reach the temporary file
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.getMessage());
        assertEquals("good", Files.readString(p));
        assertEquals(List.of(p), listing());
    }

    @Test
    void aRuntimeFailureAlsoKeepsThePreviousFile() throws IOException {
        Path p = dir.resolve("ckpt.bin");
        AtomicFiles.write(p, out -> out.write(1));
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(p, out -> { throw new IllegalStateException("bug"); }));
        assertEquals(1, Files.readAllBytes(p)[0]);
        assertEquals(List.of(p), listing());
    }

    @Test
    void aMissingFolderIsAnIoErrorThatCreatesNothing() {
        Path p = dir.resolve("no/such/ckpt.bin");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(p, out -> out.write(1)));
        assertEquals("cannot write " + p + ": folder " + p.getParent() + " does not exist", e.getMessage());
        assertFalse(Files.exists(dir.resolve("no")));
    }

    /** A writer killed between write and rename leaves .NAME.HEX.tmp; only those of the named target go. */
    @Test
    void removesTheLeftoversOfAKilledWriterOnly() throws IOException {
        Path p = dir.resolve("last.safetensors");
        AtomicFiles.write(p, out -> out.write(7));
        Files.writeString(dir.resolve(".last.safetensors.9f3a0c.tmp"), "half");
        Files.writeString(dir.resolve(".last.safetensors.-12.tmp"), "not ours");
        Files.writeString(dir.resolve(".best.safetensors.9f3a0c.tmp"), "another target's");
        assertEquals(1, AtomicFiles.removeLeftovers(p));
        assertEquals(List.of(".best.safetensors.9f3a0c.tmp", ".last.safetensors.-12.tmp", "last.safetensors"),
                listing().stream().map(f -> f.getFileName().toString()).sorted().toList());
        assertEquals(7, Files.readAllBytes(p)[0]);
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
