package dsf4j.data;

import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's pre-tokenization: text is cut into word-ish chunks (a letter run, a digit run or a punctuation run,
 * each with at most one leading space; English contractions; whitespace runs), and BPE never merges across
 * two chunks. The chunks cover the text exactly, in order, so concatenating them gives the text back.
 *
 * <p>Pattern (GPT-2's, in Java syntax; {@code \s} is ASCII whitespace here, other Unicode spaces fall in the
 * punctuation class, which changes chunk boundaries, never coverage):
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}
 */
final class PreTokenizer {

    private static final Pattern CHUNK = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private PreTokenizer() {}

    /** Calls {@code action} on every chunk of {@code text}, in order. */
    static void forEachChunk(String text, Consumer<String> action) {
        Matcher m = CHUNK.matcher(text);
        while (m.find()) action.accept(text.substring(m.start(), m.end()));
    }
}
