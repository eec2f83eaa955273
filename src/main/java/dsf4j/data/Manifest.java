package dsf4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The corpus manifest {@code data/datasets.tsv}, read from the class path copy {@code /dsf4j/data/datasets.tsv}
 * that the build puts there (the file {@code data/fetch.sh} and {@link CorpusFetcher} download from: one source
 * of truth). {@code DSF4J_MANIFEST=FILE} replaces it with a manifest of one's own (the same format).
 *
 * <p>Format: tab-separated, {@code #} comment lines, a header line, then one row per (dataset, split):
 * {@code dataset split file bytes sha256_text sha256_gz sha1_text sources}; {@code -} means "not recorded";
 * sources are space-separated URLs tried in order, {@code URL#member} naming a member of a .zip or .tgz archive.
 */
public record Manifest(List<Entry> entries) {

    static final String RESOURCE = "/dsf4j/data/datasets.tsv";
    /** Environment variable naming a manifest file that replaces the built-in one. */
    public static final String OVERRIDE_ENV = "DSF4J_MANIFEST";

    /** Where one split can be downloaded: a URL, and the member to extract when the URL is a .zip or .tgz archive (else null). */
    public record Source(URI url, String member) {

        static Source parse(String spec) {
            int hash = spec.indexOf('#');
            String url = hash < 0 ? spec : spec.substring(0, hash);
            try {
                URI uri = new URI(url);
                if (uri.getScheme() == null) throw new URISyntaxException(url, "no scheme");
                return new Source(uri, hash < 0 ? null : spec.substring(hash + 1));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("corpus manifest source '" + spec + "' is not a URL (" + e.getMessage() + "): fix the manifest");
            }
        }

        @Override
        public String toString() {
            return member == null ? url.toString() : url + "#" + member;
        }
    }

    /**
     * One split of a known corpus. {@code sha256}/{@code sha1} digest the decompressed text (lower-case hex,
     * {@code null} when not recorded); {@code file} is its name, stored plain or as {@code file + ".gz"};
     * {@code bytes} its size (-1 when not recorded).
     */
    public record Entry(String dataset, Split split, String file, long bytes, String sha256, String sha1, List<Source> sources) {

        /** The digest that is verified: {@code SHA-256} when recorded, else {@code SHA-1} (null when neither is). */
        public String algorithm() {
            return sha256 != null ? "SHA-256" : sha1 != null ? "SHA-1" : null;
        }

        /** The recorded digest {@link #algorithm()} names (lower-case hex), or null. */
        public String expected() {
            return sha256 != null ? sha256 : sha1;
        }

        /**
         * Checks {@code text} against the recorded digest (sha256 when recorded, else sha1).
         *
         * @throws IllegalArgumentException naming the file, both digests and the fix, on a mismatch
         */
        public void verify(CorpusText text) {
            if (expected() == null) return;
            String have = sha256 != null ? text.sha256() : text.sha1();
            if (!expected().equals(have)) throw new IllegalArgumentException(text.path() + ": " + mismatch(have) + ": replace it with a good copy (data/fetch.sh " + dataset + ")");
        }

        /** "sha256 HAVE does not match the recorded WANT for DATASET SPLIT (data/datasets.tsv)". */
        String mismatch(String have) {
            return (sha256 != null ? "sha256 " : "sha1 ") + have + " does not match the recorded " + expected() + " for " + dataset + " " + split.id() + " (data/datasets.tsv)";
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

    /** The file {@code $DSF4J_MANIFEST} names when set, else the manifest on the class path. */
    public static Manifest standard() {
        String file = System.getenv(OVERRIDE_ENV);
        if (file == null || file.isBlank()) return load();
        try {
            return parse(Files.readAllLines(Path.of(file), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(OVERRIDE_ENV + "=" + file + ": cannot read the manifest (" + e.getMessage() + "): fix the path or unset " + OVERRIDE_ENV);
        }
    }

    static Manifest parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        boolean header = true;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) continue;
            if (header) { header = false; continue; }
            String[] f = line.split("\t");
            if (f.length < 8) throw new IllegalArgumentException("corpus manifest row has " + f.length + " fields, expected 8 (tab-separated): fix the manifest: " + line);
            List<Source> sources = new ArrayList<>();
            if (!f[7].equals("-")) for (String s : f[7].trim().split(" +")) sources.add(Source.parse(s));
            long bytes;
            try {
                bytes = f[3].equals("-") ? -1 : Long.parseLong(f[3]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("corpus manifest row gives '" + f[3] + "' as its size in bytes, not a number or '-': fix the manifest: " + line);
            }
            entries.add(new Entry(f[0], Split.parse(f[1]), f[2], bytes, orNull(f[4]), orNull(f[6]), List.copyOf(sources)));
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
