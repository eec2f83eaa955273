package dsf4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-level BPE (GPT-2 style): text → UTF-8 bytes → chunks ({@link PreTokenizer}) → merges applied inside
 * each chunk. Every UTF-8 text round-trips exactly: {@code decode(encode(s)).equals(s)}.
 *
 * <p>Ids: 0 = {@code <pad>} (the pad id, never produced by {@link #encode}), 1 … 256 = the bytes 0x00 … 0xFF
 * (id = byte + 1), 257 + k = merge k, the concatenation of its two parts. V = 257 + number of merges
 * (the authors' WikiText setup: V = 16,000).
 *
 * <p>Merges file (UTF-8 text, {@link #save}/{@link #load}): a first line {@code dsf4j-bpe 1}, then any
 * {@code #} comment lines, then one line per merge in order: {@code left right} (two decimal ids, each
 * smaller than the id the line defines).
 */
public final class BytePairEncoding implements Tokenizer {

    static final String MAGIC = "dsf4j-bpe 1";
    public static final int PAD_ID = 0;
    static final int FIRST_MERGE_ID = 257;

    private final int[] left, right;                   // merge k joins ids left[k], right[k] into id 257 + k
    private final Map<Long, Integer> mergeId;          // pair(left, right) → merged id (lower id = earlier merge)
    private final byte[][] bytesOf;                    // id → its bytes (empty for <pad>)

    /** A BPE of the given merges ({@code left[k]}, {@code right[k]} make id 257 + k; arrays not modified, not kept). */
    public BytePairEncoding(int[] left, int[] right) {
        if (left.length != right.length) throw new IllegalArgumentException("merge arrays differ in length");
        this.left = left.clone();
        this.right = right.clone();
        int v = FIRST_MERGE_ID + left.length;
        mergeId = new HashMap<>(left.length * 2);
        bytesOf = new byte[v][];
        bytesOf[PAD_ID] = new byte[0];
        for (int b = 0; b < 256; b++) bytesOf[b + 1] = new byte[] {(byte) b};
        for (int k = 0; k < left.length; k++) {
            int id = FIRST_MERGE_ID + k;
            int l = left[k], r = right[k];
            if (l < 1 || r < 1 || l >= id || r >= id) {
                throw new IllegalArgumentException("merge " + k + " (" + l + " " + r + ") must join two earlier non-pad ids");
            }
            if (mergeId.putIfAbsent(pair(l, r), id) != null) throw new IllegalArgumentException("merge " + k + " (" + l + " " + r + ") repeats an earlier merge");
            byte[] joined = Arrays.copyOf(bytesOf[l], bytesOf[l].length + bytesOf[r].length);
            System.arraycopy(bytesOf[r], 0, joined, bytesOf[l].length, bytesOf[r].length);
            bytesOf[id] = joined;
        }
    }

    static long pair(int l, int r) {
        return ((long) l << 32) | (r & 0xFFFFFFFFL);
    }

    /** Number of merges (V − 257). */
    public int mergeCount() {
        return left.length;
    }

    @Override
    public int size() {
        return bytesOf.length;
    }

    @Override
    public int padId() {
        return PAD_ID;
    }

    /** Ids of {@code text}; each distinct chunk is encoded once per call (a chunk cache). */
    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 1);
        Map<String, int[]> cache = new HashMap<>();
        PreTokenizer.forEachChunk(text, chunk -> out.addAll(cache.computeIfAbsent(chunk, this::encodeChunk)));
        return out.toArray();
    }

    /** One chunk: its bytes as ids, then repeatedly the earliest-learned merge present, applied left to right. */
    int[] encodeChunk(String chunk) {
        byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
        int[] sym = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) sym[i] = (bytes[i] & 0xFF) + 1;
        int n = sym.length;
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                Integer m = mergeId.get(pair(sym[i], sym[i + 1]));
                if (m != null && m < best) best = m;
            }
            if (best == Integer.MAX_VALUE) break;
            n = mergeAll(sym, n, left[best - FIRST_MERGE_ID], right[best - FIRST_MERGE_ID], best);
        }
        return Arrays.copyOf(sym, n);
    }

    /**
     * Replaces each (l, r) in {@code sym[0, n)}, left to right without overlap, by {@code id}; {@code sym} is
     * modified in place. Returns the new length.
     */
    static int mergeAll(int[] sym, int n, int l, int r, int id) {
        int w = 0;
        for (int i = 0; i < n; i++) {
            if (i + 1 < n && sym[i] == l && sym[i + 1] == r) {
                sym[w++] = id;
                i++;
            } else {
                sym[w++] = sym[i];
            }
        }
        return w;
    }

    /** The UTF-8 text of the bytes of {@code ids} ({@code <pad>} adds nothing; a cut multi-byte character becomes U+FFFD). */
    @Override
    public String decode(int[] ids) {
        int len = 0;
        for (int id : ids) len += bytesOf[id].length;
        byte[] out = new byte[len];
        int p = 0;
        for (int id : ids) {
            System.arraycopy(bytesOf[id], 0, out, p, bytesOf[id].length);
            p += bytesOf[id].length;
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The two ids merge id {@code id} (≥ 257) joins: {left, right}. */
    int[] mergeParts(int id) {
        return new int[] {left[id - FIRST_MERGE_ID], right[id - FIRST_MERGE_ID]};
    }

    /** The bytes of one id (a copy). */
    public byte[] bytes(int id) {
        return bytesOf[id].clone();
    }

    /** Writes the merges file (format in the class comment) atomically: a temp file beside it, then a rename. */
    public void save(Path file, String comment) {
        List<String> lines = new ArrayList<>(left.length + 2);
        lines.add(MAGIC);
        lines.add("# " + comment.replace('\n', ' '));
        for (int k = 0; k < left.length; k++) lines.add(left[k] + " " + right[k]);
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a merges file written by {@link #save}; a malformed one is an IllegalArgumentException naming the line. */
    public static BytePairEncoding load(Path file) {
        String[] lines = CorpusText.read(file).lines();
        if (!lines[0].equals(MAGIC)) throw new IllegalArgumentException(file + ": not a dsf4j BPE merges file (first line must be '" + MAGIC + "'): give one BytePairEncoding.save wrote");
        IntList l = new IntList(lines.length), r = new IntList(lines.length);
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].startsWith("#")) continue;
            String[] f = lines[i].split(" ");
            try {
                if (f.length != 2) throw new NumberFormatException();
                l.add(Integer.parseInt(f[0]));
                r.add(Integer.parseInt(f[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected two ids 'left right', got '" + lines[i] + "': re-train the BPE");
            }
        }
        try {
            return new BytePairEncoding(l.toArray(), r.toArray());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage() + ": re-train the BPE");
        }
    }
}
