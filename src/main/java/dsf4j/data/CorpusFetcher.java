package dsf4j.data;

import dsf4j.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Downloads a known corpus from the sources its {@link Manifest} rows list, into a folder ({@code data/cache/NAME}).
 *
 * <p>Nothing unverified is ever left where a reader looks: each split is written to a temporary file beside its
 * target ({@link AtomicFiles}), its digest computed on the way, and renamed to its name only when the digest is
 * the recorded one; a wrong digest, a dropped connection or a stalled server removes the temporary file and tries
 * the next source. The training split, whose presence makes {@link CorpusLocator} take the folder as the corpus,
 * is renamed last, so a download killed half-way leaves a folder the next run completes rather than reads. An
 * archive ({@code URL#member}) is downloaded once per fetch to a temporary {@code .part} file, deleted at the end.
 *
 * <p>{@code DSF4J_DATA_MIRROR=BASE} fetches every source {@code scheme://host/path} from {@code BASE/host/path}
 * instead (a mirror laid out as {@code wget -x} saves files, an http or file URL); only the mirror is contacted.
 */
public final class CorpusFetcher {

    /** Environment variable: a base URL that replaces every source's scheme and host (see the class comment). */
    public static final String MIRROR_ENV = "DSF4J_DATA_MIRROR";

    private final URI mirror;
    private final PrintStream log;
    private final boolean live;
    private final Download download;

    /**
     * @param mirror      a base URL to fetch every source from instead, or null
     * @param log         where progress and the outcome go (stderr)
     * @param live        draw the progress bar in place (a terminal)
     * @param readTimeout how long a server may send nothing before its download fails
     */
    public CorpusFetcher(URI mirror, PrintStream log, boolean live, Duration readTimeout) {
        this.mirror = mirror;
        this.log = log;
        this.live = live;
        this.download = new Download(Duration.ofSeconds(30), readTimeout);
    }

    /** Sources as the manifest gives them (or {@code $DSF4J_DATA_MIRROR}), progress on stderr, 60 s read timeout. */
    public static CorpusFetcher standard() {
        String m = System.getenv(MIRROR_ENV);
        URI mirror = null;
        if (m != null && !m.isBlank()) {
            try {
                mirror = URI.create(m.endsWith("/") ? m : m + "/");
                if (mirror.getScheme() == null) throw new IllegalArgumentException("no scheme");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(MIRROR_ENV + "=" + m + " is not a URL: give a base URL such as http://host/mirror/ or file:///path/");
            }
        }
        return new CorpusFetcher(mirror, System.err, System.console() != null, Duration.ofSeconds(60));
    }

    /** Where {@code source} is fetched from: itself, or its host and path under the mirror. */
    URI location(URI source) {
        if (mirror == null) return source;
        String rest = (source.getRawAuthority() == null ? "" : source.getRawAuthority()) + source.getRawPath() + (source.getRawQuery() == null ? "" : "?" + source.getRawQuery());
        return mirror.resolve(rest.startsWith("/") ? rest.substring(1) : rest);
    }

    /**
     * Makes {@code dest} hold every split of {@code dataset}, verified: a split already there with the recorded
     * digest is kept, the others are downloaded.
     *
     * @return {@code dest}
     * @throws FetchFailed              when a split could not be fetched from any source (nothing unverified is left)
     * @throws IllegalArgumentException when the manifest records no digest or no source for a split
     */
    public Path fetch(Manifest manifest, String dataset, Path dest) {
        List<Manifest.Entry> entries = new ArrayList<>(manifest.entries().stream().filter(e -> e.dataset().equals(dataset)).toList());
        if (entries.isEmpty()) throw new IllegalArgumentException("unknown corpus '" + dataset + "': use one of " + String.join(", ", manifest.datasets()));
        entries.sort(Comparator.comparing(e -> e.split() == Split.TRAIN));   // train last: see the class comment
        for (Manifest.Entry e : entries) {
            if (e.expected() == null) throw new IllegalArgumentException(dataset + " " + e.split().id() + ": the manifest records no digest, so a download could not be verified: add one");
            if (e.sources().isEmpty()) throw new IllegalArgumentException(dataset + " " + e.split().id() + ": the manifest lists no source to download it from: put " + e.file() + " in data/cache/" + dataset + "/");
        }
        Map<URI, Object> archives = new HashMap<>();   // source URL → the downloaded archive (Path) or why it failed (IOException)
        try {
            Files.createDirectories(dest);
            removeLeftovers(dest, entries);
            log.println("dsf4j: corpus " + dataset + " is not on this machine: downloading it into " + dest + " (--offline or DSF4J_OFFLINE=1 never downloads)");
            for (Manifest.Entry e : entries) fetchSplit(e, dest, archives);
        } catch (IOException e) {
            throw new FetchFailed("could not write " + dest + " (" + e.getMessage() + "): check the folder's permissions and the free disk space");
        } finally {
            for (Object a : archives.values()) {
                if (a instanceof Path p) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // a leftover .part file is removed by the next fetch
                    }
                }
            }
        }
        log.println("dsf4j: corpus " + dataset + " downloaded and verified: " + dest);
        return dest;
    }

    /** One split: kept when already there and right, else from the first source that gives the recorded digest. */
    private void fetchSplit(Manifest.Entry e, Path dest, Map<URI, Object> archives) throws IOException {
        Path target = dest.resolve(e.file());
        String what = e.dataset() + " " + e.split().id();
        if (Files.isRegularFile(target) && e.expected().equals(digest(target, e.algorithm()))) {
            log.println("dsf4j: " + what + ": " + target + " is already there and verified");
            return;
        }
        List<String> failures = new ArrayList<>();
        for (Manifest.Source s : e.sources()) {
            try {
                AtomicFiles.write(target, out -> {
                    DigestOutputStream both = new DigestOutputStream(out, messageDigest(e.algorithm()));   // the bytes go on to out, digested on the way
                    if (s.member() == null) {
                        log.println("dsf4j: " + what + ": " + location(s.url()));
                        download.copy(location(s.url()), both, new DownloadProgress(log, live, e.file()));
                    } else {
                        Path archive = archive(s.url(), dest, archives);
                        ArchiveMember.copy(archive, fileName(s.url()), s.member(), both);
                    }
                    String have = HexFormat.of().formatHex(both.getMessageDigest().digest());
                    if (!have.equals(e.expected())) throw new IOException(e.mismatch(have));
                });
                log.println("dsf4j: " + what + ": " + e.file() + " " + e.algorithm().toLowerCase(Locale.ROOT).replace("-", "") + " verified"
                        + (s.member() == null ? "" : " (" + s.member() + " of " + fileName(s.url()) + ")"));
                return;
            } catch (IOException x) {
                String why = location(s.url()) + (s.member() == null ? "" : "#" + s.member()) + ": " + x.getMessage();
                failures.add(why);
                log.println("dsf4j: " + what + ": " + why + (failures.size() < e.sources().size() ? "; trying the next source" : ""));
            }
        }
        throw new FetchFailed("could not download " + what + " from any source (" + String.join("; ", failures) + "); nothing unverified was kept in "
                + dest + ": check the network (or set " + MIRROR_ENV + "), or put " + e.file() + " in " + dest + "/ or in $DSF4J_DATA/" + e.dataset() + "/");
    }

    /** The archive at {@code url}, downloaded once per fetch (a failure is remembered too, not retried for the next split). */
    private Path archive(URI url, Path dest, Map<URI, Object> archives) throws IOException {
        Object known = archives.get(url);
        if (known instanceof Path p) return p;
        if (known instanceof IOException x) throw new IOException(x.getMessage(), x);
        if (!ArchiveMember.readable(fileName(url))) throw new IOException("cannot unpack " + fileName(url) + ": only .zip, .tgz and .tar.gz archives are read");
        Path part = Files.createTempFile(dest, "." + fileName(url) + ".", ".part");
        try {
            log.println("dsf4j: " + fileName(url) + ": " + location(url));
            try (OutputStream out = Files.newOutputStream(part)) {
                download.copy(location(url), out, new DownloadProgress(log, live, fileName(url)));
            }
            archives.put(url, part);
            return part;
        } catch (IOException x) {
            Files.deleteIfExists(part);
            archives.put(url, x);
            throw x;
        }
    }

    /** Temporary files a killed fetch left in {@code dest}: the splits' ({@link AtomicFiles}) and the archives' {@code .part} files. */
    private static void removeLeftovers(Path dest, List<Manifest.Entry> entries) throws IOException {
        for (Manifest.Entry e : entries) AtomicFiles.removeLeftovers(dest.resolve(e.file()));
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(dest, ".*.part")) {
            for (Path p : parts) Files.deleteIfExists(p);
        }
    }

    static String fileName(URI url) {
        String path = url.getPath();
        return path == null ? url.toString() : path.substring(path.lastIndexOf('/') + 1);
    }

    private static String digest(Path file, String algorithm) throws IOException {
        MessageDigest md = messageDigest(algorithm);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) >= 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest messageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
