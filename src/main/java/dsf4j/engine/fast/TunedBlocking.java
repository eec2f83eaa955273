package dsf4j.engine.fast;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * The blocking {@code ./run.sh bench --tune gemm} measured best on this machine, one small properties
 * file per machine and vector width:
 * {@code ~/.cache/dsf4j/gemm-<hash>.properties} ({@code $XDG_CACHE_HOME/dsf4j} when that is set,
 * {@code -Ddsf4j.gemm.dir} to put it elsewhere), where the hash is of {@link #key}: the CPU's name,
 * caches, registers and the vector width. A file whose key differs from this machine's is not used.
 *
 * <pre>
 * # dsf4j GEMM blocking, written by ./run.sh bench --tune gemm (comments: when, threads, scores)
 * key=Intel(R) Xeon(R) Processor (family 6 model 207)|l1d=49152/12|...|bits=512
 * blocking=12x2 kc=256 mc=4092 nc=1792
 * </pre>
 */
public final class TunedBlocking {

    private TunedBlocking() {}

    /** What a tuned blocking is valid for: the model's inputs and the vector width in bits (0 = scalar). */
    public static String key(CpuInfo cpu, int bits) {
        return cpu.key() + "|bits=" + bits;
    }

    /** The file for {@code key}. */
    public static Path file(String key) {
        String dir = System.getProperty("dsf4j.gemm.dir", "");
        Path base;
        if (!dir.isBlank()) base = Path.of(dir);
        else {
            String xdg = System.getenv("XDG_CACHE_HOME");
            base = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("dsf4j");
        }
        return base.resolve("gemm-" + hash(key) + ".properties");
    }

    /**
     * The blocking stored in {@code file} for {@code key}, or null when there is no such file.
     *
     * @throws IllegalArgumentException when the file cannot be read, holds another machine's key or a bad blocking
     */
    static GemmBlocking read(Path file, String key, int lanes) {
        if (!Files.isRegularFile(file)) return null;
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + " cannot be read (" + e.getMessage() + ")");
        }
        if (!key.equals(p.getProperty("key"))) throw new IllegalArgumentException(file + " was tuned for another machine or width");
        String b = p.getProperty("blocking");
        if (b == null) throw new IllegalArgumentException(file + " has no blocking= line");
        try {
            return GemmBlocking.parse(b, lanes, f -> {
                if (f[0] == 0 || f[1] == 0 || f[2] == 0 || f[3] == 0) throw new IllegalArgumentException("'" + b + "' is not a whole blocking");
                return new GemmBlocking(f[0], 2, lanes, f[1], f[2], f[3]);
            });
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /** Writes {@code blocking} for {@code key} to {@code file} (atomically: a temporary file, then a move), comments first. */
    public static void write(Path file, String key, GemmBlocking blocking, List<String> comments) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder s = new StringBuilder();
        for (String c : comments) s.append("# ").append(c.replace("\n", " ")).append('\n');
        s.append("key=").append(escape(key)).append('\n');
        s.append("blocking=").append(blocking).append('\n');
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, s, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A value as java.util.Properties reads it back: backslashes and a leading space escaped. */
    private static String escape(String v) {
        String e = v.replace("\\", "\\\\");
        return e.startsWith(" ") ? "\\" + e : e;
    }

    private static String hash(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
