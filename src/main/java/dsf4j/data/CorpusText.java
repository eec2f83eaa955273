package dsf4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * The whole text of one corpus file, with the sha256 and sha1 of its decompressed bytes (lower-case hex).
 * Files whose name ends in {@code .gz} are gunzipped; the bytes must be non-empty, strict UTF-8.
 */
public record CorpusText(Path path, String text, String sha256, String sha1) {

    /**
     * Reads {@code path} (plain or {@code .gz}).
     *
     * @throws IllegalArgumentException if it is missing, unreadable, empty or not valid UTF-8 (one line, with the fix)
     */
    public static CorpusText read(Path path) {
        byte[] bytes;
        try (InputStream raw = Files.newInputStream(path);
             InputStream in = path.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
            bytes = in.readAllBytes();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(path + ": no such file: check the path or fetch the corpus (data/fetch.sh)");
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read (" + e.getMessage() + "): check the file, or fetch it again");
        }
        if (bytes.length == 0) throw new IllegalArgumentException(path + ": the file is empty: give a corpus file with text in it");
        return new CorpusText(path, decodeUtf8(path, bytes), hex("SHA-256", bytes), hex("SHA-1", bytes));
    }

    /** Strict UTF-8 decoding: the first malformed byte sequence is an error naming its offset. */
    static String decodeUtf8(Path path, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);  // UTF-8 never decodes to more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        if (result.isError()) {
            throw new IllegalArgumentException(path + ": not valid UTF-8 at byte offset " + in.position()
                    + ": convert the file to UTF-8 (e.g. iconv -t UTF-8)");
        }
        return out.flip().toString();
    }

    static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text cut at each {@code '\n'}; the newline ending the last line does not start another line. */
    public String[] lines() {
        String[] lines = text.split("\n", -1);
        return text.endsWith("\n") ? Arrays.copyOf(lines, lines.length - 1) : lines;
    }
}
