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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a file can be malformed gets one line naming the file, the problem and a fix. */
class SafeTensorsMalformedTest {

    @TempDir
    Path dir;

    /** A file whose header is {@code json} followed by {@code dataBytes} zero bytes. */
    static byte[] file(String json, int dataBytes) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + j.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(j.length).put(j).array();
    }

    static String tensor(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    /** Asserts that reading fails cleanly with a message naming the file and saying {@code problem}. */
    static String fails(byte[] bytes, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read("bad.safetensors", bytes));
        String m = e.getMessage();
        assertTrue(m.startsWith("bad.safetensors: "), m);
        assertTrue(m.contains(problem), "expected '" + problem + "' in: " + m);
        assertFalse(m.contains("\n") || m.contains("\r"), m);
        assertTrue(m.lastIndexOf(": ") > m.indexOf(problem), "a fix follows the problem: " + m);
        return m;
    }

    @Test
    void truncatedBeforeTheHeaderLength() {
        fails(new byte[5], "truncated: 5 bytes");
    }

    @Test
    void truncatedInsideTheData() {
        byte[] ok = SafeTensors.writer().f64("a", new int[] {4}, new double[4]).toByteArray();
        fails(Arrays.copyOf(ok, ok.length - 3), "tensor 'a': data_offsets [0, 32] lie outside the data section [0, 29]");
    }

    @Test
    void truncatedFileOnDisk() throws IOException {
        byte[] ok = SafeTensors.writer().f64("a", new int[] {4}, new double[4]).toByteArray();
        Path p = dir.resolve("cut.safetensors");
        Files.write(p, Arrays.copyOf(ok, 20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().startsWith(p + ": header length"), e.getMessage());
    }

    @Test
    void headerLengthBeyondTheFile() {
        byte[] b = file("{}", 0);
        b[0] = 100;
        fails(b, "header length 100 goes beyond the file's 10 bytes");
    }

    @Test
    void absurdHeaderLength() {
        byte[] b = file("{}", 0);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        fails(b, "header length 1099511627776 is outside [2, 100000000]");
    }

    @Test
    void negativeHeaderLength() {
        byte[] b = file("{}", 0);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -8);
        fails(b, "header length 18446744073709551608 is outside");
    }

    @Test
    void malformedJson() {
        fails(file("{\"a\":{\"dtype\":\"F32\",", 0), "malformed JSON header");
        fails(file("{'a':1}", 0), "malformed JSON header");
        fails(file("{} {}", 0), "malformed JSON header");
        fails(file("[1,2]", 0), "the header is not a JSON object");
    }

    @Test
    void headerThatIsNotUtf8() {
        byte[] b = file("{\"x\":1}", 0);
        b[10] = (byte) 0xff;
        fails(b, "not valid UTF-8");
    }

    @Test
    void unknownDtype() {
        fails(file("{" + tensor("w", "F33", "[1]", 0, 4) + "}", 4), "tensor 'w' has unknown dtype 'F33'");
    }

    @Test
    void recognisedButUnsupportedDtypeFailsOnRead() {
        SafeTensorsFile f = SafeTensors.read("bf.safetensors", file("{" + tensor("w", "BF16", "[2]", 0, 4) + "}", 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.f32("w"));
        assertTrue(e.getMessage().equals("bf.safetensors: tensor 'w' is BF16, which dsf4j does not read: convert it to F32 first (in PyTorch: t.to(torch.float32))"), e.getMessage());
    }

    @Test
    void shapeAndOffsetsDisagree() {
        fails(file("{" + tensor("w", "F32", "[3]", 0, 8) + "}", 8), "tensor 'w': shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8");
    }

    @Test
    void shapeWhoseElementCountOverflows() {
        fails(file("{" + tensor("w", "F32", "[2147483647,2147483647,2147483647]", 0, 8) + "}", 8), "overflows a 64-bit element count");
        fails(file("{" + tensor("w", "F64", "[4611686018427387904]", 0, 8) + "}", 8), "larger than 2^31 - 1");
    }

    @Test
    void overlappingOffsets() {
        fails(file("{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12) + "}", 12), "tensor 'b' overlaps tensor 'a'");
    }

    @Test
    void offsetsOutOfRange() {
        fails(file("{" + tensor("a", "F32", "[2]", 8, 16) + "}", 8), "data_offsets [8, 16] lie outside the data section [0, 8]");
        fails(file("{" + tensor("a", "F32", "[0]", 5, 4) + "}", 8), "data_offsets [5, 4] lie outside");
        fails(file("{" + tensor("a", "F32", "[1]", -4, 0) + "}", 8), "lie outside");
    }

    @Test
    void gapsAndTrailingBytes() {
        fails(file("{" + tensor("a", "F32", "[1]", 4, 8) + "}", 8), "a gap of 4 bytes lies before tensor 'a'");
        fails(file("{" + tensor("a", "F32", "[1]", 0, 4) + "}", 8), "4 bytes follow the last tensor");
    }

    @Test
    void negativeDimension() {
        fails(file("{" + tensor("a", "F32", "[-1,-4]", 0, 16) + "}", 16), "tensor 'a' has a negative dimension -1");
    }

    @Test
    void nonIntegerNumbers() {
        fails(file("{" + tensor("a", "F32", "[1.5]", 0, 4) + "}", 4), "holds '1.5', which is not a whole number");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}", 4), "not a whole number in the 64-bit range");
        fails(file("{" + tensor("a", "F32", "[\"1\"]", 0, 4) + "}", 4), "not a number");
    }

    @Test
    void duplicateNames() {
        fails(file("{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("a", "F32", "[1]", 4, 8) + "}", 8), "tensor 'a' appears twice");
        fails(file("{\"__metadata__\":{},\"__metadata__\":{}}", 0), "two __metadata__ entries");
        fails(file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), "metadata entry 'k' appears twice");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "dtype given twice");
    }

    @Test
    void malformedEntries() {
        fails(file("{\"__metadata__\":{\"k\":1}}", 0), "metadata entry 'k' is not a string");
        fails(file("{\"__metadata__\":[]}", 0), "__metadata__ is not a JSON object");
        fails(file("{\"a\":3}", 0), "tensor 'a': its entry is not a JSON object");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'a' lacks data_offsets");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4), "unknown field 'x'");
        fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4), "data_offsets must be [begin, end]");
        fails(file("{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "empty name");
    }

    /** The checksums entry must give 8 hex digits for every tensor read (a name it gives that is no tensor is ignored). */
    @Test
    void malformedChecksums() {
        String a = tensor("a", "F32", "[1]", 0, 4), b = tensor("b", "F32", "[1]", 4, 8);
        String crc = "{\"__metadata__\":{\"tensor_crc32c\":\"%s\"}," + a + "," + b + "}";
        fails(file(crc.formatted("{\\\"a\\\":\\\"0000000g\\\",\\\"b\\\":\\\"00000000\\\"}"), 8), "of tensor 'a' is '0000000g', not 8 hex digits");
        fails(file(crc.formatted("{\\\"a\\\":0,\\\"b\\\":\\\"00000000\\\"}"), 8), "of tensor 'a' is not a string");
        fails(file(crc.formatted("[]"), 8), "the tensor_crc32c metadata is not a JSON object");
        fails(file(crc.formatted("{\\\"a\\\""), 8), "the tensor_crc32c metadata is malformed JSON");
        // the CRC-32C of 4 zero bytes is 48674bc7 (computed bit by bit outside Java): b reads, a recorded 00000000 does not,
        // and a tensor the entry does not cover is refused when read
        SafeTensorsFile f = SafeTensors.read("z", file(crc.formatted("{\\\"a\\\":\\\"00000000\\\",\\\"b\\\":\\\"48674bc7\\\",\\\"c\\\":\\\"00000000\\\"}"), 8));
        assertTrue(f.checksummed());
        assertThrows(ChecksumMismatch.class, () -> f.f32("a"));
        assertEquals(0f, f.f32("b")[0]);
        SafeTensorsFile half = SafeTensors.read("bad.safetensors", file(crc.formatted("{\\\"a\\\":\\\"48674bc7\\\"}"), 8));
        assertEquals(0f, half.f32("a")[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> half.f32("b"));
        assertTrue(e.getMessage().startsWith("bad.safetensors: the tensor_crc32c metadata has no checksum for tensor 'b': the file is damaged"), e.getMessage());
    }

    @Test
    void controlCharactersInNamesStayOnOneLine() {
        fails(file("{\"a\\nb\":{\"dtype\":\"Q\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'a\\u000ab' has unknown dtype");
    }

    @Test
    void missingFileAndFolder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(dir.resolve("none.safetensors")));
        assertTrue(e.getMessage().endsWith("none.safetensors: no such file: check the path"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(dir));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }
}
