package dsf4j.io;

import com.google.gson.stream.JsonWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HuggingFace safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * (padded with spaces to 8-byte alignment), then the raw little-endian tensor data.
 *
 * <pre>
 * {"__metadata__": {"config": "{...}"},
 *  "param/head.weight": {"dtype": "F64", "shape": [11, 8], "data_offsets": [0, 704]}, ...}
 * </pre>
 * Offsets are relative to the first byte after the header; the tensors tile the data without gaps.
 *
 * <pre>{@code
 * SafeTensors.writer().metadata("config", json)
 *         .f64("grad/bptt/head.weight", new int[] {11, 8}, grad)
 *         .i64("batch/input", new int[] {3, 7}, ids)
 *         .write(path);                         // atomic: temp file, fsync, rename
 * SafeTensorsFile f = SafeTensors.read(path);   // validates the whole header
 * double[] g = f.f64("grad/bptt/head.weight");
 * }</pre>
 */
public final class SafeTensors {

    /** The largest header dsf4j reads (the reference implementation's limit too). */
    public static final int MAX_HEADER_BYTES = 100_000_000;
    static final String METADATA = "__metadata__";

    private SafeTensors() {}

    public static Writer writer() {
        return new Writer();
    }

    /**
     * Reads and validates a file's header; tensor values are read on demand.
     *
     * @throws IllegalArgumentException one line naming the file, the problem and a fix, for a
     *                                  missing, unreadable or malformed file
     */
    public static SafeTensorsFile read(Path path) {
        return SafeTensorsFile.open(path);
    }

    /** Reads a safetensors image held in memory; {@code name} is used in error messages. */
    public static SafeTensorsFile read(String name, byte[] bytes) {
        return SafeTensorsFile.open(name, bytes);
    }

    /**
     * Collects named tensors and metadata, then writes them in the order added. The arrays are
     * referenced, not copied: they are read when the file is written.
     */
    public static final class Writer {
        private record Entry(String name, DType dtype, int[] shape, Object data, long bytes) {}

        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final Map<String, Entry> entries = new LinkedHashMap<>();

        private Writer() {}

        public Writer metadata(String key, String value) {
            if (key == null || value == null) throw new IllegalArgumentException("safetensors metadata needs a key and a value (got " + key + " = " + value + ")");
            metadata.put(key, value);
            return this;
        }

        public Writer metadata(Map<String, String> all) {
            all.forEach(this::metadata);
            return this;
        }

        public Writer f64(String name, int[] shape, double[] data) {
            return add(name, DType.F64, shape, data, data.length);
        }

        public Writer f32(String name, int[] shape, float[] data) {
            return add(name, DType.F32, shape, data, data.length);
        }

        public Writer i64(String name, int[] shape, long[] data) {
            return add(name, DType.I64, shape, data, data.length);
        }

        public Writer i32(String name, int[] shape, int[] data) {
            return add(name, DType.I32, shape, data, data.length);
        }

        private Writer add(String name, DType dtype, int[] shape, Object data, int length) {
            if (name == null || name.isEmpty() || name.equals(METADATA)) {
                throw new IllegalArgumentException("invalid safetensors tensor name '" + name + "': use a non-empty name other than " + METADATA);
            }
            if (entries.containsKey(name)) throw new IllegalArgumentException("tensor " + name + " added twice to a safetensors file: give each tensor its own name");
            long n = 1;
            for (int d : shape) {
                if (d < 0) throw new IllegalArgumentException("tensor " + name + " has a negative dimension in shape " + Arrays.toString(shape));
                n *= d;
            }
            if (n != length) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " holds " + n + " values but the array has " + length);
            }
            entries.put(name, new Entry(name, dtype, shape.clone(), data, n * dtype.size));
            return this;
        }

        /** The JSON header, padded with spaces so that 8 + its length is a multiple of 8. */
        byte[] header() {
            StringWriter sw = new StringWriter();
            try (JsonWriter j = new JsonWriter(sw)) {
                j.setHtmlSafe(false);
                j.beginObject();
                if (!metadata.isEmpty()) {
                    j.name(METADATA).beginObject();
                    for (var e : metadata.entrySet()) j.name(e.getKey()).value(e.getValue());
                    j.endObject();
                }
                long offset = 0;
                for (Entry e : entries.values()) {
                    j.name(e.name).beginObject();
                    j.name("dtype").value(e.dtype.name());
                    j.name("shape").beginArray();
                    for (int d : e.shape) j.value(d);
                    j.endArray();
                    j.name("data_offsets").beginArray().value(offset).value(offset + e.bytes).endArray();
                    j.endObject();
                    offset += e.bytes;
                }
                j.endObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a StringWriter does not fail
            }
            byte[] json = sw.toString().getBytes(StandardCharsets.UTF_8);
            int padded = (json.length + 7) / 8 * 8;
            byte[] h = Arrays.copyOf(json, padded);
            Arrays.fill(h, json.length, padded, (byte) ' ');
            return h;
        }

        /** Writes the file atomically (see {@link AtomicFiles}); on failure the previous file stays intact. */
        public void write(Path path) throws IOException {
            AtomicFiles.write(path, this::writeTo);
        }

        /** The file's bytes, for tests and small files. */
        public byte[] toByteArray() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                writeTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }

        public void writeTo(OutputStream out) throws IOException {
            byte[] header = header();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length);
            out.write(buf.array(), 0, 8);
            out.write(header);
            for (Entry e : entries.values()) writeData(e.data, buf, out);
        }

        /** Streams one array as little-endian bytes through {@code buf} (64 KiB at a time). */
        private static void writeData(Object data, ByteBuffer buf, OutputStream out) throws IOException {
            int n = java.lang.reflect.Array.getLength(data);
            int i = 0;
            while (i < n) {
                buf.clear();
                switch (data) {
                    case double[] a -> { for (; i < n && buf.remaining() >= 8; i++) buf.putDouble(a[i]); }
                    case float[] a -> { for (; i < n && buf.remaining() >= 4; i++) buf.putFloat(a[i]); }
                    case long[] a -> { for (; i < n && buf.remaining() >= 8; i++) buf.putLong(a[i]); }
                    case int[] a -> { for (; i < n && buf.remaining() >= 4; i++) buf.putInt(a[i]); }
                    default -> throw new IllegalStateException("unsupported array " + data.getClass());
                }
                out.write(buf.array(), 0, buf.position());
            }
        }
    }
}
