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

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
