package dsf4j.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a corpus named by {@code --data} and reads it, verifying known corpora against {@link Manifest}.
 *
 * <p>{@code --data} is a known name ({@code ptb}, {@code wikitext-2}, {@code wikitext-103}) or a folder DIR.
 * A known name is looked up, first hit wins, in {@code ROOT/NAME/} for each root of {@link #standard()}:
 * {@code $DSF4J_DATA}, {@code <repo>/../shared/data}, {@code <repo>/data/cache} (the repository root is the
 * working directory, as {@code run.sh} and Maven set it). In a folder, each split is the manifest's file name
 * (e.g. {@code ptb.train.txt}) or {@code train.txt} / {@code valid.txt} / {@code test.txt}, each plain or
 * {@code .gz}. The files of a known name are verified against the manifest; a DIR holds the user's own
 * corpus and is read as it is (the sha256 of each file still goes into the provenance).
 *
 * <p>A known name found in no root is downloaded into {@code <download root>/NAME} ({@code data/cache/NAME})
 * by a {@link CorpusFetcher}, unless the locator is offline ({@code --offline}, {@code DSF4J_OFFLINE=1}).
 */
public final class CorpusLocator {

    /** Environment variable that, set to anything but {@code 0}, forbids downloads (as {@code --offline}). */
    public static final String OFFLINE_ENV = "DSF4J_OFFLINE";

    private final List<Path> roots;
    private final Manifest manifest;
    private final Path downloadRoot;
    private final CorpusFetcher fetcher;

    /** Searches {@code roots} (each holding one folder per corpus name) for the corpora of {@code manifest}; never downloads. */
    public CorpusLocator(List<Path> roots, Manifest manifest) {
        this(roots, manifest, null, null);
    }

    /**
     * Searches {@code roots}, then downloads a known corpus found in none of them into {@code downloadRoot/NAME}
     * with {@code fetcher} (null: never download).
     */
    public CorpusLocator(List<Path> roots, Manifest manifest, Path downloadRoot, CorpusFetcher fetcher) {
        this.roots = List.copyOf(roots);
        this.manifest = manifest;
        this.downloadRoot = downloadRoot;
        this.fetcher = fetcher;
    }

    /** {@link #standard(boolean)}, offline when {@code DSF4J_OFFLINE} is set. */
    public static CorpusLocator standard() {
        return standard(false);
    }

    /**
     * Roots {@code $DSF4J_DATA} (when set), {@code <cwd>/../shared/data}, {@code <cwd>/data/cache}; the manifest
     * {@link Manifest#standard()}; downloads into {@code <cwd>/data/cache} ({@link CorpusFetcher#standard()}) unless
     * {@code offline} or {@code DSF4J_OFFLINE} is set.
     */
    public static CorpusLocator standard(boolean offline) {
        List<Path> roots = new ArrayList<>();
        String env = System.getenv("DSF4J_DATA");
        if (env != null && !env.isBlank()) roots.add(Path.of(env));
        Path repo = Path.of("").toAbsolutePath();
        Path cache = repo.resolve("data").resolve("cache");
        roots.add(repo.resolveSibling("shared").resolve("data"));
        roots.add(cache);
        boolean noDownloads = offline || offlineEnv();
        return new CorpusLocator(roots, Manifest.standard(), cache, noDownloads ? null : CorpusFetcher.standard());
    }

    static boolean offlineEnv() {
        String v = System.getenv(OFFLINE_ENV);
        return v != null && !v.isBlank() && !v.equals("0");
    }

    public Manifest manifest() {
        return manifest;
    }

    /**
     * Reads the corpus {@code data} names (see the class comment).
     *
     * @throws IllegalArgumentException if it cannot be found, a split is missing, unreadable, empty, not UTF-8,
     *                                  or a known file's digest differs from the manifest
     */
    public Corpus open(String data) {
        if (manifest.datasets().contains(data)) {
            for (Path root : roots) {
                Path dir = root.resolve(data);
                if (Files.isDirectory(dir) && findSplit(dir, data, Split.TRAIN).isPresent()) return read(dir, data, data);
            }
            if (fetcher != null) {
                Path dir = fetcher.fetch(manifest, data, downloadRoot.resolve(data));
                return read(dir, data, data);
            }
            throw new IllegalArgumentException("corpus " + data + " not found in any of " + roots.stream().map(r -> r.resolve(data)).toList()
                    + " and downloads are off (--offline or " + OFFLINE_ENV + "): download it once without them (./run.sh fetch " + data
                    + "), or set DSF4J_DATA to a folder holding " + data + "/");
        }
        Path dir = Path.of(data);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("unknown --data '" + data + "': use " + String.join(", ", manifest.datasets())
                    + " or a folder holding train.txt, valid.txt, test.txt (plain or .gz)");
        }
        return read(dir, null, dir.toString());
    }

    private Corpus read(Path dir, String dataset, String name) {
        Map<Split, CorpusText> texts = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            Path file = findSplit(dir, dataset, split).orElseThrow(() -> new IllegalArgumentException(
                    dir + ": no " + split.id() + " split (" + String.join(" or ", candidates(dataset, split)) + ", plain or .gz): add it"));
            CorpusText text = CorpusText.read(file);
            if (dataset != null) manifest.entry(dataset, split).ifPresent(e -> e.verify(text));
            texts.put(split, text);
        }
        return new Corpus(name, texts);
    }

    /** The file of {@code split} in {@code dir}; {@code dataset} null means "any manifest name, else split.txt". */
    private Optional<Path> findSplit(Path dir, String dataset, Split split) {
        for (String file : candidates(dataset, split)) {
            for (String name : new String[] {file, file + ".gz"}) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private List<String> candidates(String dataset, Split split) {
        List<String> names = new ArrayList<>();
        for (Manifest.Entry e : manifest.entries()) {
            if (e.split() == split && (dataset == null || e.dataset().equals(dataset)) && !names.contains(e.file())) names.add(e.file());
        }
        names.add(split.id() + ".txt");
        return names;
    }
}
