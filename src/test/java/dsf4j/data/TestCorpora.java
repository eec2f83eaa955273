package dsf4j.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Tiny corpora written by the tests themselves, in PTB's layout: " w1 w2 … wn \n" per line. */
final class TestCorpora {

    private TestCorpora() {}

    /** One PTB-style line: a leading space, the words, " \n". */
    static String ptbLine(String words) {
        return " " + words + " \n";
    }

    static final String TRAIN = ptbLine("the cat sat on the mat")
            + ptbLine("a <unk> dog barked")
            + ptbLine("the dog sat");
    static final String VALID = ptbLine("the bird sat") + ptbLine("a cat");
    static final String TEST = ptbLine("the mat sat on a dog");

    /** Writes train.txt, valid.txt, test.txt (test as .gz) into {@code dir} and returns {@code dir}. */
    static Path writeFolder(Path dir, String train, String valid, String test) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train.txt"), train);
        Files.writeString(dir.resolve("valid.txt"), valid);
        writeGz(dir.resolve("test.txt.gz"), test.getBytes(StandardCharsets.UTF_8));
        return dir;
    }

    static void writeGz(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        }
    }

    /** The small fixture corpus, read through the locator's folder mode. */
    static Corpus small(Path dir) throws IOException {
        return CorpusLocator.standard().open(writeFolder(dir, TRAIN, VALID, TEST).toString());
    }

    /** {@code lines} PTB-style lines of 1 … maxWords words drawn from w0 … w49, seeded. */
    static String randomLines(int lines, int maxWords, long seed) {
        Random rng = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            int n = 1 + rng.nextInt(maxWords);
            StringBuilder words = new StringBuilder();
            for (int k = 0; k < n; k++) words.append(k == 0 ? "" : " ").append(rng.nextInt(10) == 0 ? "<unk>" : "w" + rng.nextInt(50));
            sb.append(ptbLine(words.toString()));
        }
        return sb.toString();
    }
}
