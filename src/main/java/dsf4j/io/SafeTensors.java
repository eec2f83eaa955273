package dsf4j.io;

import com.google.gson.stream.JsonWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

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
 * <p>dsf4j adds a checksum of every tensor's bytes: the metadata entry {@value #CRC32C} holds a JSON object
 * {@code {"<tensor name>": "<CRC-32C, 8 hex digits>", ...}} (CRC-32C: Castagnoli, {@link CRC32C}; in Python the
 * {@code crc32c} package). The writer computes them while it writes the data (the data goes first, the header,
 * whose length does not depend on the values, last); the reader checks each tensor as it reads it. Files
 * without the entry (other tools, older dsf4j) are read unchecked; {@link SafeTensorsFile#checksummed()} tells.
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
    /** The metadata entry holding the tensors' CRC-32C (see the class comment); the reader hides it from {@link SafeTensorsFile#metadata()}. */
    public static final String CRC32C = "tensor_crc32c";

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
        private boolean checksums = true;

        private Writer() {}

        public Writer metadata(String key, String value) {
            if (key == null || value == null) throw new IllegalArgumentException("safetensors metadata needs a key and a value (got " + key + " = " + value + ")");
            if (key.equals(CRC32C)) throw new IllegalArgumentException("metadata key " + CRC32C + " is the writer's own (the tensors' checksums): use another key");
            metadata.put(key, value);
            return this;
        }

        /** Whether to record each tensor's CRC-32C (default: yes; no only to write a file as other tools do, or to measure the cost). */
        public Writer checksums(boolean on) {
            this.checksums = on;
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

        private static final int CHUNK = 1 << 20;

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

        /**
         * The JSON header, padded with spaces so that 8 + its length is a multiple of 8; {@code crcs[k]} is the CRC-32C
         * of the k-th tensor (its length in the header is fixed, 8 hex digits, so a header with zeros has the final length).
         */
        byte[] header(int[] crcs) {
            StringWriter sw = new StringWriter();
            try (JsonWriter j = new JsonWriter(sw)) {
                j.setHtmlSafe(false);
                j.beginObject();
                if (!metadata.isEmpty() || checksums) {
                    j.name(METADATA).beginObject();
                    for (var e : metadata.entrySet()) j.name(e.getKey()).value(e.getValue());
                    if (checksums) j.name(CRC32C).value(crcJson(crcs));
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

        /** {@code {"name": "0a1b2c3d", ...}}, in tensor order. */
        private String crcJson(int[] crcs) {
            StringWriter sw = new StringWriter();
            try (JsonWriter j = new JsonWriter(sw)) {
                j.setHtmlSafe(false);
                j.beginObject();
                int k = 0;
                for (Entry e : entries.values()) j.name(e.name).value(HexFormat.of().toHexDigits(crcs[k++]));
                j.endObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return sw.toString();
        }

        /**
         * Writes the file atomically (see {@link AtomicFiles}) in one pass over the data: the tensors first, after room
         * for the header, each one's CRC-32C computed from the bytes as they are written; then the header. On failure
         * the previous file stays intact.
         */
        public void write(Path path) throws IOException {
            AtomicFiles.writeChannel(path, this::writeTo);
        }

        private void writeTo(FileChannel ch) throws IOException {
            int[] crcs = new int[entries.size()];
            long dataStart = 8L + header(crcs).length;
            ch.position(dataStart);
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            CRC32C crc = new CRC32C();
            int k = 0;
            for (Entry e : entries.values()) {
                crc.reset();
                encode(e.data, buf, chunk -> {
                    if (checksums) crc.update(chunk.duplicate());
                    while (chunk.hasRemaining()) ch.write(chunk);
                });
                crcs[k++] = (int) crc.getValue();
            }
            byte[] header = header(crcs);
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header).flip();
            ch.position(0);
            while (head.hasRemaining()) ch.write(head);
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

        /** Writes the file to a stream, which cannot go back to the header: the checksums take a pass of their own first. */
        public void writeTo(OutputStream out) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            int[] crcs = new int[entries.size()];
            if (checksums) {
                CRC32C crc = new CRC32C();
                int k = 0;
                for (Entry e : entries.values()) {
                    crc.reset();
                    encode(e.data, buf, crc::update);
                    crcs[k++] = (int) crc.getValue();
                }
            }
            byte[] header = header(crcs);
            ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(head.array(), 0, 8);
            out.write(header);
            for (Entry e : entries.values()) encode(e.data, buf, chunk -> out.write(buf.array(), 0, chunk.limit()));
        }

        /** Receives one chunk of little-endian bytes, from its position to its limit. */
        private interface ChunkSink {
            void accept(ByteBuffer chunk) throws IOException;
        }

        /** One array as little-endian bytes, {@code buf}'s capacity at a time (bulk copies through a typed view of {@code buf}). */
        private static void encode(Object data, ByteBuffer buf, ChunkSink sink) throws IOException {
            int n = java.lang.reflect.Array.getLength(data);
            for (int i = 0; i < n; ) {
                buf.clear();
                int m;
                switch (data) {
                    case double[] a -> { m = Math.min(n - i, buf.capacity() / 8); buf.asDoubleBuffer().put(a, i, m); buf.limit(8 * m); }
                    case float[] a -> { m = Math.min(n - i, buf.capacity() / 4); buf.asFloatBuffer().put(a, i, m); buf.limit(4 * m); }
                    case long[] a -> { m = Math.min(n - i, buf.capacity() / 8); buf.asLongBuffer().put(a, i, m); buf.limit(8 * m); }
                    case int[] a -> { m = Math.min(n - i, buf.capacity() / 4); buf.asIntBuffer().put(a, i, m); buf.limit(4 * m); }
                    default -> throw new IllegalStateException("unsupported array " + data.getClass());
                }
                sink.accept(buf);
                i += m;
            }
        }
    }
}
