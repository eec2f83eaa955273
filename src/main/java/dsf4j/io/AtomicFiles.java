package dsf4j.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file so that, whatever happens (an I/O error, a full disk, {@code kill -9}, a power cut
 * after the call returns), the target holds either its old content or the complete new one.
 *
 * <p>The recipe: write a temporary file in the target's folder (same file system, so the rename is
 * atomic), {@code fsync} it, rename it over the target with {@code ATOMIC_MOVE}, then {@code fsync}
 * the folder so the rename itself is durable. On failure the temporary file is removed and the
 * target is untouched.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** Writes a file's content to a stream; the stream is buffered, and closed by {@link #write}. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes a file's content through its channel, which starts at position 0 and may seek (it is closed by {@link #writeChannel}). */
    @FunctionalInterface
    public interface ChannelContent {
        void writeTo(FileChannel ch) throws IOException;
    }

    /**
     * Atomically replaces (or creates) {@code target} with what {@code content} writes.
     *
     * @throws IOException the target is unchanged and no temporary file is left behind
     */
    public static void write(Path target, Content content) throws IOException {
        writeChannel(target, ch -> {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            content.writeTo(out);
            out.flush();
        });
    }

    /**
     * Atomically replaces (or creates) {@code target} with what {@code content} writes into the temporary file's channel.
     *
     * @throws IOException the target is unchanged and no temporary file is left behind
     */
    public static void writeChannel(Path target, ChannelContent content) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IOException("cannot write " + target + ": folder " + dir + " does not exist");
        }
        Path tmp = abs.resolveSibling(TEMP_PREFIX.formatted(abs.getFileName()) + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(ch);
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /** Temporary files of target NAME are {@code .NAME.<random hex>.tmp}. */
    private static final String TEMP_PREFIX = ".%s.";

    /**
     * Deletes the temporary files a killed writer of {@code target} left behind (a {@code kill -9}
     * or a power cut between the write and the rename); the target itself is not touched.
     *
     * @return how many were deleted
     */
    public static int removeLeftovers(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) return 0;
        String prefix = TEMP_PREFIX.formatted(abs.getFileName());
        int n = 0;
        try (var files = Files.newDirectoryStream(dir, f -> {
            String name = f.getFileName().toString();
            return name.startsWith(prefix) && name.endsWith(".tmp") && name.substring(prefix.length(), name.length() - 4).matches("[0-9a-f]{1,16}");
        })) {
            for (Path f : files) {
                if (Files.deleteIfExists(f)) n++;
            }
        }
        return n;
    }

    /** Makes a rename inside {@code dir} durable. Some platforms (Windows) cannot open a folder; there the rename is as durable as the OS makes it. */
    private static void syncDirectory(Path dir) throws IOException {
        if (dir == null) return;
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException notSupported) {
            return;
        }
        try (ch) {
            ch.force(true);
        }
    }
}
