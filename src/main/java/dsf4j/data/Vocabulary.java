package dsf4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A word-level vocabulary: words are the runs of text between ASCII whitespace (space, tab, CR, LF, FF, VT).
 *
 * <p>Id order, deterministic and the same as the authors' {@code ptb/data.py} {@code Dictionary}: the four
 * specials {@code <pad>} = 0 (the pad id), {@code <bos>} = 1, {@code <eos>} = 2, {@code <unk>} = 3, then every
 * other word of the training text in order of <b>first occurrence</b>. A corpus that already contains
 * {@code <unk>} or {@code <eos>} (PTB, WikiText) reuses the special's id. PTB: 9,999 file types incl.
 * {@code <unk>} → V = 10,002; WikiText-2: 33,277 → V = 33,280.
 */
public final class Vocabulary implements Tokenizer {

    public static final String PAD = "<pad>", BOS = "<bos>", EOS = "<eos>", UNK = "<unk>";
    public static final int PAD_ID = 0, BOS_ID = 1, EOS_ID = 2, UNK_ID = 3;

    private final List<String> words;
    private final Map<String, Integer> ids;

    private Vocabulary(List<String> words) {
        this.words = List.copyOf(words);
        this.ids = new HashMap<>(words.size() * 2);
        for (int i = 0; i < words.size(); i++) {
            if (ids.put(words.get(i), i) != null) throw new IllegalArgumentException("vocabulary lists '" + words.get(i) + "' twice: remove the duplicate");
        }
    }

    /** The vocabulary of a training text (see the class comment for the id order). */
    public static Vocabulary build(String trainText) {
        List<String> words = new ArrayList<>(List.of(PAD, BOS, EOS, UNK));
        Set<String> seen = new HashSet<>(words);
        forEachWord(trainText, w -> { if (seen.add(w)) words.add(w); });
        return new Vocabulary(words);
    }

    /** Calls {@code action} on each whitespace-separated word of {@code text}, in order. */
    static void forEachWord(String text, Consumer<String> action) {
        int n = text.length(), i = 0;
        while (i < n) {
            while (i < n && isSpace(text.charAt(i))) i++;
            int start = i;
            while (i < n && !isSpace(text.charAt(i))) i++;
            if (i > start) action.accept(text.substring(start, i));
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    @Override
    public int size() {
        return words.size();
    }

    @Override
    public int padId() {
        return PAD_ID;
    }

    /** The id of one word, {@code <unk>}'s for a word outside the vocabulary. */
    public int id(String word) {
        return ids.getOrDefault(word, UNK_ID);
    }

    /**
     * The share of the words of {@code text} that are not in this vocabulary, which {@link #encode} maps to
     * {@code <unk>} (the word {@code <unk>} itself, as PTB and WikiText write it, counts as known); 0 for no words.
     */
    public double unknownShare(String text) {
        long[] counts = new long[2];   // words, unknown words
        forEachWord(text, w -> {
            counts[0]++;
            if (!ids.containsKey(w)) counts[1]++;
        });
        return counts[0] == 0 ? 0 : (double) counts[1] / counts[0];
    }

    public String word(int id) {
        return words.get(id);
    }

    /** Ids of the words of {@code text}; no {@code <bos>}/{@code <eos>} is added (newlines are whitespace). */
    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 4 + 1);
        forEachWord(text, w -> out.add(id(w)));
        return out.toArray();
    }

    /**
     * Ids of a text read line by line, the classic word-LM stream: each line's words, then {@code <eos>}
     * (an empty line is a lone {@code <eos>}). PTB train: 929,589 ids; WikiText-2 train: 2,088,628.
     */
    public int[] encodeLinesWithEos(CorpusText text) {
        IntList out = new IntList(text.text().length() / 4 + 1);
        for (String line : text.lines()) {
            forEachWord(line, w -> out.add(id(w)));
            out.add(EOS_ID);
        }
        return out.toArray();
    }

    /** The words of {@code ids} joined by single spaces, {@code <pad>} left out. */
    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id == PAD_ID) continue;
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(word(id));
        }
        return sb.toString();
    }

    /** Writes the words to {@code file}, UTF-8, one per line: line i holds the word of id i. */
    public void write(Path file) {
        try {
            Files.write(file, words, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a file written by {@link #write}. */
    public static Vocabulary read(Path file) {
        List<String> words = CorpusText.read(file).text().lines().toList();
        if (words.size() < 4 || !words.subList(0, 4).equals(List.of(PAD, BOS, EOS, UNK))) {
            throw new IllegalArgumentException(file + ": not a dsf4j vocabulary (it must start with <pad>, <bos>, <eos>, <unk>): give the file Vocabulary.write made");
        }
        return new Vocabulary(words);
    }
}
