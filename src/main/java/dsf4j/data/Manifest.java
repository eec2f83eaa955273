package dsf4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The corpus manifest {@code data/datasets.tsv}, read from the class path copy {@code /dsf4j/data/datasets.tsv}
 * that the build puts there (the same file {@code data/fetch.sh} reads: one source of truth).
 *
 * <p>Format: tab-separated, {@code #} comment lines, a header line, then one row per (dataset, split):
 * {@code dataset split file bytes sha256_text sha256_gz sha1_text sources}; {@code -} means "not recorded".
 */
public record Manifest(List<Entry> entries) {

    static final String RESOURCE = "/dsf4j/data/datasets.tsv";

    /**
     * One split of a known corpus. {@code sha256}/{@code sha1} digest the decompressed text (lower-case hex,
     * {@code null} when not recorded); {@code file} is its name, stored plain or as {@code file + ".gz"}.
     */
    public record Entry(String dataset, Split split, String file, String sha256, String sha1) {

        /**
         * Checks {@code text} against the recorded digest (sha256 when recorded, else sha1).
         *
         * @throws IllegalArgumentException naming the file, both digests and the fix, on a mismatch
         */
        public void verify(CorpusText text) {
            String kind = sha256 != null ? "sha256" : "sha1";
            String want = sha256 != null ? sha256 : sha1;
            String have = sha256 != null ? text.sha256() : text.sha1();
            if (want == null) return;
            if (!want.equals(have)) {
                throw new IllegalArgumentException(text.path() + ": " + kind + " " + have + " does not match the recorded "
                        + want + " for " + dataset + " " + split.id() + " (data/datasets.tsv): replace it with a good copy"
                        + " (data/fetch.sh " + dataset + ")");
            }
        }
    }

    /** The manifest on the class path. */
    public static Manifest load() {
        try (InputStream in = Manifest.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("corpus manifest " + RESOURCE + " missing from the class path: rebuild with mvn");
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Manifest parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        boolean header = true;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) continue;
            if (header) { header = false; continue; }
            String[] f = line.split("\t");
            if (f.length < 8) throw new IllegalStateException("corpus manifest row has " + f.length + " fields, expected 8: " + line);
            entries.add(new Entry(f[0], Split.parse(f[1]), f[2], orNull(f[4]), orNull(f[6])));
        }
        return new Manifest(List.copyOf(entries));
    }

    private static String orNull(String field) {
        return field.equals("-") ? null : field;
    }

    /** Names of the known corpora, in manifest order. */
    public Set<String> datasets() {
        Set<String> names = new LinkedHashSet<>();
        for (Entry e : entries) names.add(e.dataset());
        return names;
    }

    /** The entry of one split of a known corpus. */
    public Optional<Entry> entry(String dataset, Split split) {
        return entries.stream().filter(e -> e.dataset().equals(dataset) && e.split() == split).findFirst();
    }
}
