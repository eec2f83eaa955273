package dsf4j.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A validated safetensors file: its header is parsed and checked when it is opened (see
 * {@link SafeTensors#read(Path)}); values are read from the file when asked for.
 *
 * <p>Every problem is an {@link IllegalArgumentException} with a one-line message naming the file,
 * the problem and a fix. No array is sized from a header field before that field has been checked
 * against the file's real size.
 */
public final class SafeTensorsFile {

    /** Where one tensor's bytes lie, relative to the start of the data section. */
    public record Info(String name, DType dtype, int[] shape, long begin, long end) {
        public long numel() {
            return (end - begin) / dtype.size;
        }
    }

    private static final String DAMAGED = "the file is damaged or is not a safetensors file; re-create it (or use an earlier copy)";
    private static final int CHUNK = 1 << 20;

    private final String source;
    private final Path path;      // null when read from memory
    private final byte[] bytes;   // null when read from a file
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, Info> tensors;
    private final Map<String, Integer> crcs;   // each tensor's recorded CRC-32C; null when the file records none

    private SafeTensorsFile(String source, Path path, byte[] bytes, long dataStart, Map<String, String> metadata, Map<String, Info> tensors,
                            Map<String, Integer> crcs) {
        this.source = source;
        this.path = path;
        this.bytes = bytes;
        this.dataStart = dataStart;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = tensors;
        this.crcs = crcs;
    }

    static SafeTensorsFile open(Path path) {
        String src = path.toString();
        if (!Files.exists(path)) throw new IllegalArgumentException(src + ": no such file: check the path");
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException(src + ": not a regular file: give the path of a .safetensors file");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            long n = checkedHeaderLength(src, size, () -> readFully(ch, head, 0, src));
            ByteBuffer header = ByteBuffer.allocate((int) n);
            readFully(ch, header, 8, src);
            return parse(src, path, null, header.array(), size);
        } catch (IOException e) {
            throw new IllegalArgumentException(src + ": cannot read (" + oneLine(String.valueOf(e.getMessage())) + "): check that the file is readable");
        }
    }

    static SafeTensorsFile open(String src, byte[] bytes) {
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n;
        try {
            n = checkedHeaderLength(src, bytes.length, () -> all.limit(8));
        } catch (IOException e) {
            throw new AssertionError(e); // memory is not read through I/O
        }
        return parse(src, null, bytes, Arrays.copyOfRange(bytes, 8, 8 + (int) n), bytes.length);
    }

    private interface Fill {
        ByteBuffer fill() throws IOException;
    }

    /** Reads the 8-byte header length and checks it against the file size before anything is allocated from it. */
    private static long checkedHeaderLength(String src, long size, Fill first8) throws IOException {
        if (size < 8) throw new IllegalArgumentException(src + ": truncated: " + size + " bytes, but a safetensors file starts with an 8-byte header length: " + DAMAGED);
        long n = first8.fill().getLong(0);
        if (n < 2 || n > SafeTensors.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException(src + ": header length " + Long.toUnsignedString(n) + " is outside [2, " + SafeTensors.MAX_HEADER_BYTES + "] bytes: " + DAMAGED);
        }
        if (n > size - 8) {
            throw new IllegalArgumentException(src + ": header length " + n + " goes beyond the file's " + size + " bytes (truncated?): " + DAMAGED);
        }
        return n;
    }

    private static SafeTensorsFile parse(String src, Path path, byte[] bytes, byte[] header, long fileSize) {
        long dataStart = 8L + header.length;
        long dataSize = fileSize - dataStart;
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(src + ": the header is not valid UTF-8: " + DAMAGED);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Info> tensors = new LinkedHashMap<>();
        try {
            JsonReader r = new JsonReader(new StringReader(json));
            r.setStrictness(Strictness.STRICT);
            if (r.peek() != JsonToken.BEGIN_OBJECT) throw bad(src, "the header is not a JSON object");
            r.beginObject();
            boolean sawMetadata = false;
            while (r.hasNext()) {
                String name = r.nextName();
                if (name.equals(SafeTensors.METADATA)) {
                    if (sawMetadata) throw bad(src, "the header has two " + SafeTensors.METADATA + " entries");
                    sawMetadata = true;
                    readMetadata(src, r, metadata);
                } else {
                    if (tensors.containsKey(name)) throw bad(src, "tensor " + quote(name) + " appears twice in the header");
                    tensors.put(name, readInfo(src, r, name, dataSize));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) throw bad(src, "content after the header's JSON object");
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw bad(src, "malformed JSON header (" + oneLine(String.valueOf(e.getMessage())) + ")");
        }
        checkTiling(src, tensors, dataSize);
        String crcJson = metadata.remove(SafeTensors.CRC32C);
        return new SafeTensorsFile(src, path, bytes, dataStart, metadata, tensors, crcJson == null ? null : readCrcs(src, crcJson, tensors));
    }

    /**
     * The {@value SafeTensors#CRC32C} entry: tensor name → CRC-32C (8 hex digits). Whether it covers the tensors is
     * checked as each one is read (so that a header edited or damaged elsewhere is reported for the tensor it affects).
     */
    private static Map<String, Integer> readCrcs(String src, String json, Map<String, Info> tensors) {
        String what = "the " + SafeTensors.CRC32C + " metadata";
        Map<String, Integer> crcs = new LinkedHashMap<>();
        try {
            JsonReader r = new JsonReader(new StringReader(json));
            r.setStrictness(Strictness.STRICT);
            if (r.peek() != JsonToken.BEGIN_OBJECT) throw bad(src, what + " is not a JSON object");
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (r.peek() != JsonToken.STRING) throw bad(src, what + " of tensor " + quote(name) + " is not a string");
                String hex = r.nextString();
                if (!hex.matches("[0-9a-f]{8}")) throw bad(src, what + " of tensor " + quote(name) + " is " + quote(hex) + ", not 8 hex digits");
                if (crcs.put(name, Integer.parseUnsignedInt(hex, 16)) != null) throw bad(src, what + " names " + quote(name) + " twice");
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) throw bad(src, "content after " + what + "'s JSON object");
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw bad(src, what + " is malformed JSON (" + oneLine(String.valueOf(e.getMessage())) + ")");
        }
        return crcs;
    }

    private static void readMetadata(String src, JsonReader r, Map<String, String> out) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) throw bad(src, SafeTensors.METADATA + " is not a JSON object of strings");
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            if (r.peek() != JsonToken.STRING) throw bad(src, "metadata entry " + quote(key) + " is not a string");
            if (out.put(key, r.nextString()) != null) throw bad(src, "metadata entry " + quote(key) + " appears twice");
        }
        r.endObject();
    }

    private static Info readInfo(String src, JsonReader r, String name, long dataSize) throws IOException {
        String t = "tensor " + quote(name);
        if (name.isEmpty()) throw bad(src, "a tensor has an empty name");
        if (r.peek() != JsonToken.BEGIN_OBJECT) throw bad(src, t + ": its entry is not a JSON object");
        r.beginObject();
        DType dtype = null;
        List<Long> shape = null, offsets = null;
        while (r.hasNext()) {
            String key = r.nextName();
            switch (key) {
                case "dtype" -> {
                    if (dtype != null) throw bad(src, t + ": dtype given twice");
                    if (r.peek() != JsonToken.STRING) throw bad(src, t + ": dtype is not a string");
                    String s = r.nextString();
                    dtype = DType.byName(s);
                    if (dtype == null) throw bad(src, t + " has unknown dtype " + quote(s) + " (known: " + Arrays.toString(DType.values()) + ")");
                }
                case "shape" -> {
                    if (shape != null) throw bad(src, t + ": shape given twice");
                    shape = readWholeNumbers(src, r, t + ": shape");
                }
                case "data_offsets" -> {
                    if (offsets != null) throw bad(src, t + ": data_offsets given twice");
                    offsets = readWholeNumbers(src, r, t + ": data_offsets");
                }
                default -> throw bad(src, t + " has an unknown field " + quote(key) + " (expected dtype, shape, data_offsets)");
            }
        }
        r.endObject();
        if (dtype == null || shape == null || offsets == null) throw bad(src, t + " lacks " + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        if (offsets.size() != 2) throw bad(src, t + ": data_offsets must be [begin, end], got " + offsets.size() + " numbers");
        int[] dims = new int[shape.size()];
        long numel = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = shape.get(i);
            if (d < 0) throw bad(src, t + " has a negative dimension " + d);
            if (d > Integer.MAX_VALUE) throw bad(src, t + " has a dimension " + d + " larger than 2^31 - 1");
            dims[i] = (int) d;
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException overflow) {
                throw bad(src, t + ": its shape " + shape + " overflows a 64-bit element count");
            }
        }
        long begin = offsets.get(0), end = offsets.get(1);
        if (begin < 0 || end < begin || end > dataSize) {
            throw bad(src, t + ": data_offsets [" + begin + ", " + end + "] lie outside the data section [0, " + dataSize + "]");
        }
        if (numel > (end - begin) / dtype.size || numel * dtype.size != end - begin) {
            throw bad(src, t + ": shape " + shape + " of " + dtype + " needs " + (numel > Long.MAX_VALUE / dtype.size ? "more than 2^63" : Long.toString(numel * dtype.size))
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Info(name, dtype, dims, begin, end);
    }

    /** A JSON array of non-negative-or-negative whole numbers (range checks are the caller's). */
    private static List<Long> readWholeNumbers(String src, JsonReader r, String what) throws IOException {
        if (r.peek() != JsonToken.BEGIN_ARRAY) throw bad(src, what + " is not a JSON array");
        r.beginArray();
        List<Long> out = new ArrayList<>();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER) throw bad(src, what + " holds a value that is not a number");
            String s = r.nextString();
            try {
                out.add(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw bad(src, what + " holds " + quote(s) + ", which is not a whole number in the 64-bit range");
            }
        }
        r.endArray();
        return out;
    }

    /** The tensors must tile the data section exactly: no overlap, no gap, nothing after the last one. */
    private static void checkTiling(String src, Map<String, Info> tensors, long dataSize) {
        List<Info> byBegin = new ArrayList<>(tensors.values());
        byBegin.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long expected = 0;
        String previous = null;
        for (Info i : byBegin) {
            if (i.begin < expected) throw bad(src, "tensor " + quote(i.name) + " overlaps tensor " + quote(previous) + " (bytes " + i.begin + " < " + expected + ")");
            if (i.begin > expected) throw bad(src, "a gap of " + (i.begin - expected) + " bytes lies before tensor " + quote(i.name) + " at byte " + expected);
            expected = i.end;
            previous = i.name;
        }
        if (expected != dataSize) throw bad(src, (dataSize - expected) + " bytes follow the last tensor (the header describes " + expected + " of " + dataSize + " data bytes)");
    }

    // ---- access ----------------------------------------------------------------------------

    /** Where the file came from (its path, or the name given for an in-memory image). */
    public String source() {
        return source;
    }

    /** Tensor names in header order ({@code __metadata__} excluded). */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public Info info(String name) {
        Info i = tensors.get(name);
        if (i == null) {
            throw new IllegalArgumentException(source + ": no tensor named " + quote(name) + " (the file holds " + tensors.size() + " tensors"
                    + (tensors.isEmpty() ? "" : ", e.g. " + quote(tensors.keySet().iterator().next())) + "): check the name or the file");
        }
        return i;
    }

    public int[] shape(String name) {
        return info(name).shape.clone();
    }

    public DType dtype(String name) {
        return info(name).dtype;
    }

    /** Whether the file records a CRC-32C of every tensor, which reading a tensor then checks (files of other tools do not). */
    public boolean checksummed() {
        return crcs != null;
    }

    /** The {@code __metadata__} strings (empty when the file has none), without the checksums entry ({@value SafeTensors#CRC32C}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** An F64 tensor (an F32 one is widened exactly). */
    public double[] f64(String name) {
        Info i = typed(name, DType.F64, DType.F32);
        double[] out = new double[length(i)];
        if (i.dtype == DType.F64) readChunks(i, (b, k) -> { while (b.hasRemaining()) out[k++] = b.getDouble(); });
        else readChunks(i, (b, k) -> { while (b.hasRemaining()) out[k++] = b.getFloat(); });
        return out;
    }

    /** An F32 tensor. */
    public float[] f32(String name) {
        float[] out = new float[length(typed(name, DType.F32))];
        f32(name, out);
        return out;
    }

    /**
     * Reads an F32 tensor into {@code out} (overwritten; its length must equal the tensor's element count).
     */
    public void f32(String name, float[] out) {
        Info i = typed(name, DType.F32);
        if (out.length != i.numel()) {
            throw new IllegalArgumentException(source + ": tensor " + quote(name) + " has shape " + Arrays.toString(i.shape) + " (" + i.numel()
                    + " values) but " + out.length + " are expected: the file belongs to a different model configuration");
        }
        readChunks(i, (b, k) -> { while (b.hasRemaining()) out[k++] = b.getFloat(); });
    }

    /** An I64 tensor (an I32 one is widened). */
    public long[] i64(String name) {
        Info i = typed(name, DType.I64, DType.I32);
        long[] out = new long[length(i)];
        if (i.dtype == DType.I64) readChunks(i, (b, k) -> { while (b.hasRemaining()) out[k++] = b.getLong(); });
        else readChunks(i, (b, k) -> { while (b.hasRemaining()) out[k++] = b.getInt(); });
        return out;
    }

    /** An I32 tensor, or an I64 one whose values all fit in an int. */
    public int[] i32(String name) {
        Info i = typed(name, DType.I32, DType.I64);
        int[] out = new int[length(i)];
        if (i.dtype == DType.I32) {
            readChunks(i, (b, k) -> { while (b.hasRemaining()) out[k++] = b.getInt(); });
        } else {
            readChunks(i, (b, k) -> {
                while (b.hasRemaining()) {
                    long v = b.getLong();
                    if (v != (int) v) throw new IllegalArgumentException(source + ": tensor " + quote(name) + " holds " + v + ", which does not fit in 32 bits: read it with i64");
                    out[k++] = (int) v;
                }
            });
        }
        return out;
    }

    private Info typed(String name, DType... accepted) {
        Info i = info(name);
        for (DType d : accepted) if (i.dtype == d) return i;
        if (!i.dtype.supported) {
            throw new IllegalArgumentException(source + ": tensor " + quote(name) + " is " + i.dtype + ", which dsf4j does not read: convert it to "
                    + accepted[0] + " first (in PyTorch: t.to(torch." + (accepted[0] == DType.F64 ? "float64" : accepted[0] == DType.F32 ? "float32" : accepted[0] == DType.I64 ? "int64" : "int32") + "))");
        }
        throw new IllegalArgumentException(source + ": tensor " + quote(name) + " is " + i.dtype + " but " + accepted[0] + " is expected: read it with the matching accessor");
    }

    private int length(Info i) {
        long n = i.numel();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(source + ": tensor " + quote(i.name) + " has " + n + " elements, too many for one Java array: split it");
        return (int) n;
    }

    private interface ChunkSink {
        /** Consumes little-endian elements from {@code b}; {@code k} is the index of its first element. */
        void accept(ByteBuffer b, int k);
    }

    /** Streams a tensor's bytes in chunks of whole elements, checking them against its recorded CRC-32C when there is one. */
    private void readChunks(Info i, ChunkSink sink) {
        long total = i.end - i.begin;
        int chunk = CHUNK / i.dtype.size * i.dtype.size;
        CRC32C crc = crcs == null ? null : new CRC32C();
        if (crc != null && !crcs.containsKey(i.name)) throw bad(source, "the " + SafeTensors.CRC32C + " metadata has no checksum for tensor " + quote(i.name));
        if (bytes != null) {
            for (long done = 0; done < total; done += chunk) {
                int len = (int) Math.min(chunk, total - done);
                ByteBuffer b = ByteBuffer.wrap(bytes, (int) (dataStart + i.begin + done), len).slice().order(ByteOrder.LITTLE_ENDIAN);
                if (crc != null) crc.update(b.duplicate());
                sink.accept(b, (int) (done / i.dtype.size));
            }
        } else {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(chunk, total)).order(ByteOrder.LITTLE_ENDIAN);
                for (long done = 0; done < total; done += chunk) {
                    buf.clear().limit((int) Math.min(chunk, total - done));
                    readFully(ch, buf, dataStart + i.begin + done, source);
                    buf.flip();
                    if (crc != null) crc.update(buf.duplicate());
                    sink.accept(buf, (int) (done / i.dtype.size));
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(source + ": cannot read tensor " + quote(i.name) + " (" + oneLine(String.valueOf(e.getMessage())) + "): check that the file is readable");
            }
        }
        if (crc != null && (int) crc.getValue() != crcs.get(i.name)) {
            throw new ChecksumMismatch(source + ": tensor " + quote(i.name) + " fails its checksum (CRC-32C " + HexFormat.of().toHexDigits((int) crc.getValue())
                    + ", recorded " + HexFormat.of().toHexDigits(crcs.get(i.name)) + "): the file is damaged (a flipped bit, a bad copy)", i.name);
        }
    }

    /** Fills {@code buf} from {@code pos}; a file that ends first is reported as truncated. */
    private static ByteBuffer readFully(FileChannel ch, ByteBuffer buf, long pos, String src) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IllegalArgumentException(src + ": truncated: the file ended at byte " + pos + ": " + DAMAGED);
            pos += n;
        }
        return buf;
    }

    private static IllegalArgumentException bad(String src, String problem) {
        return new IllegalArgumentException(src + ": " + problem + ": " + DAMAGED);
    }

    /** A header string made safe for a one-line message: quoted, control characters escaped, at most 80 characters. */
    static String quote(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("'");
        for (int k = 0; k < s.length() && k < 80; k++) {
            char c = s.charAt(k);
            if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        if (s.length() > 80) b.append("…");
        return b.append('\'').toString();
    }

    private static String oneLine(String s) {
        String q = quote(s);
        return q.substring(1, q.length() - 1);
    }
}
