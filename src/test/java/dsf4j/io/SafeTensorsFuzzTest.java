package dsf4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded fuzzing of the reader: random files, valid files with random mutations, and headers
 * stitched from JSON fragments. Each one must load (and every tensor be readable) or fail with an
 * IllegalArgumentException; anything else, or a hang, fails the test with the case's seed.
 */
class SafeTensorsFuzzTest {

    private static final String[] FRAGMENTS = {
        "{", "}", "[", "]", ",", ":", "\"a\"", "\"b\"", "\"__metadata__\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"",
        "\"F32\"", "\"F64\"", "\"I64\"", "\"I32\"", "\"BF16\"", "\"X9\"", "0", "4", "8", "-1", "1e3", "1.5", "null", "true",
        "99999999999999999999", "9223372036854775807", "\"\\u0000\"", " ", "\"k\"", "\"v\""};

    @TempDir
    Path dir;

    @Test
    void everyFileLoadsOrFailsCleanly() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            int loaded = 0, refused = 0;
            for (int c = 0; c < 5000; c++) {
                Random rng = new Random(1000 + c);
                byte[] b = switch (c % 5) {
                    case 0 -> mutate(valid(rng), rng);
                    case 1 -> stitched(rng);
                    case 2 -> headerLengthMutated(valid(rng), rng);
                    case 3 -> randomBytes(rng);
                    default -> dataMutated(valid(rng, false), rng);
                };
                if (check(b, c)) loaded++; else refused++;
            }
            // the generators must exercise both outcomes, or the fuzzing proves little
            assertTrue(loaded > 900 && refused > 3000, "loaded " + loaded + ", refused " + refused);
        });
    }

    @Test
    void mutatedFilesOnDiskLoadOrFailCleanly() throws IOException {
        for (int c = 0; c < 150; c++) {
            Random rng = new Random(77 + c);
            Path p = dir.resolve("f" + c + ".safetensors");
            Files.write(p, mutate(valid(rng), rng));
            try {
                readEverything(SafeTensors.read(p));
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().startsWith(p.toString()), expected.getMessage());
            } catch (Throwable t) {
                fail("case " + c + " threw " + t, t);
            }
        }
    }

    /** True when the file loaded, false when it was refused cleanly. */
    private static boolean check(byte[] b, int c) {
        try {
            readEverything(SafeTensors.read("fuzz", b));
            return true;
        } catch (IllegalArgumentException expected) {
            String m = expected.getMessage();
            if (!m.startsWith("fuzz: ") || m.contains("\n")) fail("case " + c + ": bad message " + m);
            return false;
        } catch (Throwable t) {
            fail("case " + c + " threw " + t, t);
            return false;
        }
    }

    private static void readEverything(SafeTensorsFile f) {
        for (String n : f.names()) {
            switch (f.dtype(n)) {
                case F64, F32 -> f.f64(n);
                case I64, I32 -> f.i64(n);
                default -> { try { f.f32(n); fail("read an unsupported dtype"); } catch (IllegalArgumentException expected) { } }
            }
            f.shape(n);
        }
        f.metadata();
    }

    /**
     * Random values in the data of a file with checksums: always refused (when a value changed), as one line naming
     * the tensor, never another exception.
     */
    @Test
    void randomDataInAChecksummedFileIsAlwaysRefusedNamingATensor() {
        int refused = 0;
        for (int c = 0; c < 1000; c++) {
            Random rng = new Random(5000 + c);
            byte[] good = valid(rng, true);
            byte[] b = dataMutated(good.clone(), rng);
            if (Arrays.equals(good, b)) continue;   // nothing changed (no data, or the same bytes drawn)
            try {
                readEverything(SafeTensors.read("fuzz", b));
                fail("case " + c + ": changed data loaded");
            } catch (ChecksumMismatch expected) {
                assertTrue(expected.getMessage().startsWith("fuzz: tensor '" + expected.tensor() + "' fails its checksum"), expected.getMessage());
                refused++;
            }
        }
        assertTrue(refused > 500, "refused " + refused);
    }

    private static byte[] valid(Random rng) {
        return valid(rng, true);
    }

    private static byte[] valid(Random rng, boolean checksums) {
        SafeTensors.Writer w = SafeTensors.writer().checksums(checksums);
        if (rng.nextBoolean()) w.metadata("config", "{\"x\":" + rng.nextInt() + "}");
        int n = rng.nextInt(4);
        for (int t = 0; t < n; t++) {
            int[] shape = new int[rng.nextInt(3)];
            int numel = 1;
            for (int k = 0; k < shape.length; k++) { shape[k] = rng.nextInt(4); numel *= shape[k]; }
            String name = "t" + t;
            switch (rng.nextInt(4)) {
                case 0 -> w.f64(name, shape, new double[numel]);
                case 1 -> w.f32(name, shape, new float[numel]);
                case 2 -> w.i64(name, shape, new long[numel]);
                default -> w.i32(name, shape, new int[numel]);
            }
        }
        return w.toByteArray();
    }

    private static byte[] mutate(byte[] b, Random rng) {
        int kind = rng.nextInt(5);
        if (kind == 0 && b.length > 0) return Arrays.copyOf(b, rng.nextInt(b.length));          // truncate
        if (kind == 1) {                                                                           // grow
            byte[] g = Arrays.copyOf(b, b.length + 1 + rng.nextInt(16));
            for (int k = b.length; k < g.length; k++) g[k] = (byte) rng.nextInt();
            return g;
        }
        if (kind == 2 && b.length > 8) {                                                           // swap header chars
            long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            int at = 8 + rng.nextInt((int) Math.min(n, b.length - 8));
            b[at] = (byte) "{}[],:\"0123456789-.e ".charAt(rng.nextInt(21));
            return b;
        }
        byte[] m = b.clone();                                                                      // flip random bytes (often in the header)
        int flips = 1 + rng.nextInt(4);
        for (int k = 0; k < flips && m.length > 0; k++) {
            int at = rng.nextBoolean() ? rng.nextInt(m.length) : Math.min(m.length - 1, 8 + rng.nextInt(Math.max(1, m.length / 3)));
            m[at] ^= (byte) (1 << rng.nextInt(8));
        }
        return m;
    }

    /** Random values in the data section: a file without checksums stays valid. */
    private static byte[] dataMutated(byte[] b, Random rng) {
        int start = 8 + (int) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        for (int k = start; k < b.length; k++) b[k] = (byte) rng.nextInt();
        return b;
    }

    private static byte[] headerLengthMutated(byte[] b, Random rng) {
        long n = switch (rng.nextInt(4)) {
            case 0 -> rng.nextLong();
            case 1 -> rng.nextInt(b.length + 16) - 8;
            case 2 -> Integer.MAX_VALUE + (long) rng.nextInt(16);
            default -> SafeTensors.MAX_HEADER_BYTES + 1L;
        };
        if (b.length >= 8) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
        return b;
    }

    private static byte[] stitched(Random rng) {
        StringBuilder s = new StringBuilder();
        if (rng.nextBoolean()) s.append("{\"a\":{\"dtype\":");
        int n = rng.nextInt(24);
        for (int k = 0; k < n; k++) s.append(FRAGMENTS[rng.nextInt(FRAGMENTS.length)]);
        byte[] j = s.toString().getBytes(StandardCharsets.UTF_8);
        int data = rng.nextInt(3) * 4;
        return ByteBuffer.allocate(8 + j.length + data).order(ByteOrder.LITTLE_ENDIAN).putLong(j.length).put(j).array();
    }

    private static byte[] randomBytes(Random rng) {
        byte[] b = new byte[rng.nextInt(64)];
        rng.nextBytes(b);
        if (b.length >= 8 && rng.nextBoolean()) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, rng.nextInt(b.length));
        return b;
    }
}
