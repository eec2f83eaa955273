package dsf4j.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One trainer per run folder: an operating-system lock ({@link FileChannel#tryLock}) on {@code DIR/train.lock}, taken
 * before a run writes anything there and held until it ends. The system drops the lock when its process ends, however
 * it ends ({@code kill -9} included), so a lock file left behind never blocks the next run; the file only holds the
 * holder's pid, for the message a second trainer gets. The file is never deleted: deleting it would let two trainers
 * lock two different files of the same name.
 */
final class RunLock implements AutoCloseable {

    static final String FILE = "train.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks run folder {@code dir} (which must exist) for this process.
     *
     * @throws IllegalArgumentException when another trainer holds it: one line naming the holder's pid and the fix
     */
    static RunLock acquire(Path dir) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException heldByThisProcess) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(ch);
            ch.close();
            throw new IllegalArgumentException("--out " + dir + " is in use by another dsf4j train (" + holder + "): wait for it to end, or stop it"
                    + " (Ctrl-C or kill, and it saves a checkpoint), or choose another --out");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(false);
        return new RunLock(ch, lock);
    }

    /** "pid N", as the holder wrote it (or a phrase when it has not yet). */
    private static String holder(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        ch.read(b, 0);
        String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
        return pid.matches("\\d+") ? "pid " + pid : "its pid not yet written";
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
