package dsf4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsEveryDtypeThroughAFile() throws IOException {
        double[] d = {0.0, -0.0, 1.5, -3.25e-300, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN, Double.NEGATIVE_INFINITY};
        float[] f = {1f, -2f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.POSITIVE_INFINITY};
        long[] l = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 42};
        int[] i = {Integer.MIN_VALUE, -7, 0, Integer.MAX_VALUE};
        Path p = dir.resolve("all.safetensors");
        SafeTensors.writer()
                .metadata("config", "{\"cell\":\"gru\",\"note\":\"quotes \\\" and λ\"}")
                .metadata("empty", "")
                .f64("grad/bptt/head.weight", new int[] {2, 4}, d)
                .f32("param/x", new int[] {3, 2}, f)
                .i64("batch/input", new int[] {6}, l)
                .i32("ids", new int[] {2, 1, 2}, i)
                .f32("scalar", new int[] {}, new float[] {7f})
                .f64("empty", new int[] {0, 5}, new double[0])
                .write(p);

        SafeTensorsFile r = SafeTensors.read(p);
        assertEquals(List.of("grad/bptt/head.weight", "param/x", "batch/input", "ids", "scalar", "empty"), r.names());
        assertEquals(Map.of("config", "{\"cell\":\"gru\",\"note\":\"quotes \\\" and λ\"}", "empty", ""), r.metadata());
        assertArrayEquals(new int[] {2, 4}, r.shape("grad/bptt/head.weight"));
        assertEquals(DType.F64, r.dtype("grad/bptt/head.weight"));
        assertEquals(DType.I32, r.dtype("ids"));
        assertArrayEquals(bits(d), bits(r.f64("grad/bptt/head.weight")));
        float[] back = r.f32("param/x");
        for (int k = 0; k < f.length; k++) assertEquals(Float.floatToRawIntBits(f[k]), Float.floatToRawIntBits(back[k]));
        assertArrayEquals(l, r.i64("batch/input"));
        assertArrayEquals(i, r.i32("ids"));
        assertArrayEquals(new int[] {}, r.shape("scalar"));
        assertArrayEquals(new float[] {7f}, r.f32("scalar"));
        assertArrayEquals(new int[] {0, 5}, r.shape("empty"));
        assertEquals(0, r.f64("empty").length);
        // lossless widening and checked narrowing
        assertArrayEquals(new double[] {7.0}, r.f64("scalar"));
        assertArrayEquals(new long[] {Integer.MIN_VALUE, -7, 0, Integer.MAX_VALUE}, r.i64("ids"));
        IllegalArgumentException narrow = assertThrows(IllegalArgumentException.class, () -> r.i32("batch/input"));
        assertTrue(narrow.getMessage().contains("does not fit in 32 bits"), narrow.getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.f32("grad/bptt/head.weight"));
    }

    @Test
    void largeTensorsCrossChunkBoundaries() throws IOException {
        float[] f = new float[(1 << 20) / 4 * 3 + 5];   // 3 chunks and a tail
        for (int k = 0; k < f.length; k++) f[k] = k * 0.5f - 7;
        Path p = dir.resolve("big.safetensors");
        SafeTensors.writer().f32("w", new int[] {f.length}, f).write(p);
        assertArrayEquals(f, SafeTensors.read(p).f32("w"));
        float[] into = new float[f.length];
        SafeTensors.read(p).f32("w", into);
        assertArrayEquals(f, into);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(p).f32("w", new float[3]));
    }

    /** The published format, byte by byte, for a file small enough to check by hand (without dsf4j's checksums). */
    @Test
    void writesTheExactBytesOfThePublishedFormat() {
        byte[] file = SafeTensors.writer().metadata("k", "v").f32("a", new int[] {2}, new float[] {1f, -2f}).checksums(false).toByteArray();
        String json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertEquals(79, json.length());
        // header length 80 = 79 bytes of JSON + 1 space, so the data starts at 8 + 80 = 88, a multiple of 8
        byte[] expected = new byte[8 + 80 + 8];
        expected[0] = 80;
        byte[] j = json.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(j, 0, expected, 8, 79);
        expected[8 + 79] = ' ';
        byte[] data = {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0};   // 1.0f and -2.0f, little-endian
        System.arraycopy(data, 0, expected, 88, 8);
        assertArrayEquals(expected, file);
    }

    /**
     * With checksums, the metadata gains {@code tensor_crc32c}: the CRC-32C of each tensor's bytes (aa36f2c9 for the
     * 8 bytes of 1.0f, -2.0f, computed bit by bit outside Java; the check value of "123456789" is e3069283). The
     * writer's one-pass file and its stream both give these bytes.
     */
    @Test
    void writesEachTensorsCrc32cInTheMetadata() throws IOException {
        SafeTensors.Writer w = SafeTensors.writer().metadata("k", "v").f32("a", new int[] {2}, new float[] {1f, -2f});
        String json = "{\"__metadata__\":{\"k\":\"v\",\"tensor_crc32c\":\"{\\\"a\\\":\\\"aa36f2c9\\\"}\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertEquals(118, json.length());
        byte[] expected = new byte[8 + 120 + 8];
        expected[0] = 120;
        System.arraycopy(json.getBytes(StandardCharsets.US_ASCII), 0, expected, 8, 118);
        expected[8 + 118] = ' ';
        expected[8 + 119] = ' ';
        System.arraycopy(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0}, 0, expected, 128, 8);
        assertArrayEquals(expected, w.toByteArray());
        Path p = dir.resolve("a.safetensors");
        w.write(p);
        assertArrayEquals(expected, Files.readAllBytes(p));

        SafeTensorsFile f = SafeTensors.read(p);
        assertTrue(f.checksummed());
        assertEquals(Map.of("k", "v"), f.metadata(), "the checksums are the reader's, not the caller's metadata");
        assertArrayEquals(new float[] {1f, -2f}, f.f32("a"));
        assertFalse(SafeTensors.read("plain", SafeTensors.writer().f32("a", new int[] {1}, new float[1]).checksums(false).toByteArray()).checksummed());
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.writer().metadata(SafeTensors.CRC32C, "{}"));
    }

    /** A flipped bit in any tensor's data fails that tensor's read, naming it; the others still read. */
    @Test
    void aFlippedBitInTheDataIsRefusedNamingTheTensor() {
        SafeTensors.Writer w = SafeTensors.writer()
                .f64("d", new int[] {3}, new double[] {1, 2, 3})
                .f32("f", new int[] {2, 2}, new float[] {1, 2, 3, 4})
                .i64("l", new int[] {2}, new long[] {5, 6})
                .i32("i", new int[] {1}, new int[] {7});
        byte[] good = w.toByteArray();
        int dataStart = 8 + (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String[] owner = new String[good.length - dataStart];
        Arrays.fill(owner, 0, 24, "d");
        Arrays.fill(owner, 24, 40, "f");
        Arrays.fill(owner, 40, 56, "l");
        Arrays.fill(owner, 56, 60, "i");
        for (int at = 0; at < owner.length; at++) {
            byte[] bad = good.clone();
            bad[dataStart + at] ^= (byte) (1 << (at % 8));
            SafeTensorsFile f = SafeTensors.read("bad", bad);
            for (String n : f.names()) {
                if (n.equals(owner[at])) {
                    ChecksumMismatch e = assertThrows(ChecksumMismatch.class, () -> readAny(f, n), "byte " + at);
                    assertEquals(n, e.tensor());
                    assertTrue(e.getMessage().matches("bad: tensor '" + n + "' fails its checksum \\(CRC-32C [0-9a-f]{8}, recorded [0-9a-f]{8}\\): "
                            + "the file is damaged \\(a flipped bit, a bad copy\\); use an earlier copy"), e.getMessage());
                } else {
                    readAny(f, n);
                }
            }
        }
    }

    private static void readAny(SafeTensorsFile f, String n) {
        switch (f.dtype(n)) {
            case F64, F32 -> f.f64(n);
            default -> f.i64(n);
        }
    }

    @Test
    void readsAHandWrittenFileWithUnsortedOffsetsAndNoMetadata() {
        // tensors listed in the header in another order than their data, as other writers do
        String json = "{\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[8,12]},\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        ByteBuffer b = ByteBuffer.allocate(8 + json.length() + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length()).put(json.getBytes(StandardCharsets.US_ASCII)).putDouble(2.5).putInt(-9);
        SafeTensorsFile f = SafeTensors.read("hand", b.array());
        assertEquals(List.of("b", "a"), f.names());
        assertArrayEquals(new double[] {2.5}, f.f64("a"));
        assertArrayEquals(new int[] {-9}, f.i32("b"));
        assertTrue(f.metadata().isEmpty());
    }

    @Test
    void writerRefusesBadInput() {
        var w = SafeTensors.writer().f32("a", new int[] {1}, new float[1]);
        assertThrows(IllegalArgumentException.class, () -> w.f32("a", new int[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.f32("b", new int[] {2}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.f32("c", new int[] {-1}, new float[0]));
        assertThrows(IllegalArgumentException.class, () -> w.f32("__metadata__", new int[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.f32("", new int[] {1}, new float[1]));
    }

    @Test
    void aMissingTensorNamesTheFile() {
        SafeTensorsFile f = SafeTensors.read("m.safetensors", SafeTensors.writer().f32("a", new int[] {1}, new float[1]).toByteArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.f32("nope"));
        assertTrue(e.getMessage().startsWith("m.safetensors: no tensor named 'nope'"), e.getMessage());
        assertFalse(f.has("nope"));
    }

    static long[] bits(double[] a) {
        return Arrays.stream(a).mapToLong(Double::doubleToRawLongBits).toArray();
    }
}
