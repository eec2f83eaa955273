package dsf4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The run folder's lock within one process (ProcessFaultsTest holds it across processes, and kills its holder). */
class RunLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondHolderIsRefusedNamingThePidAndTheFolderIsFreeOnceReleased() throws IOException {
        long pid = ProcessHandle.current().pid();
        try (RunLock first = RunLock.acquire(dir)) {
            assertEquals(pid + "\n", Files.readString(dir.resolve(RunLock.FILE)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunLock.acquire(dir));
            assertEquals("--out " + dir + " is in use by another dsf4j train (pid " + pid + "): wait for it to end, or stop it (Ctrl-C or kill, and it saves a checkpoint), "
                    + "or choose another --out", e.getMessage());
        }
        try (RunLock again = RunLock.acquire(dir)) {
            assertEquals(pid + "\n", Files.readString(dir.resolve(RunLock.FILE)));
        }
    }

    @Test
    void aLockFileLeftBehindDoesNotBlock() throws IOException {
        Files.writeString(dir.resolve(RunLock.FILE), "999999999 and more text than a pid\n");
        try (RunLock lock = RunLock.acquire(dir)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(dir.resolve(RunLock.FILE)), "rewritten by the new holder");
        }
    }
}
