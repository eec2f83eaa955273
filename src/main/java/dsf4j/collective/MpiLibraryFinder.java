package dsf4j.collective;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where Open MPI's {@code libmpi.so.40} is, searched like the CUDA libraries
 * ({@code engine.cuda.LibraryFinder}), in this order:
 * <ol>
 * <li>{@code DSF4J_MPI_LIB}: the library file itself, or a folder holding it;</li>
 * <li>the entries of {@code LD_LIBRARY_PATH} (what {@code module load openmpi} sets);</li>
 * <li>{@code OPAL_PREFIX}, {@code MPI_HOME}, {@code MPI_ROOT}: their {@code lib}, {@code lib64};</li>
 * <li>next to the {@code mpirun} first on {@code PATH}: {@code ../lib}, {@code ../lib64};</li>
 * <li>the distributions' places: {@code /usr/lib/x86_64-linux-gnu} and {@code /usr/lib/aarch64-linux-gnu}
 *     (Debian, Ubuntu), {@code /usr/lib64/openmpi/lib} (RHEL, Fedora), {@code /usr/lib64}, Open MPI's own
 *     default prefix {@code /usr/local/lib}, {@code /opt/openmpi/lib} and {@code /opt/openmpi-*}{@code /lib}
 *     (newest first).</li>
 * </ol>
 * When none holds it, the system loader's own search (its cache) is the caller's last resort.
 * Pure file-system logic with the root and the environment passed in, so tests run it on fake folders.
 */
public final class MpiLibraryFinder {

    public static final String LIBRARY = Mpi.LIB;

    private static final String[] DEFAULT_DIRS = {"usr/lib/x86_64-linux-gnu", "usr/lib/aarch64-linux-gnu", "usr/lib64/openmpi/lib",
            "usr/lib/x86_64-linux-gnu/openmpi/lib", "usr/lib64", "usr/local/lib", "opt/openmpi/lib"};

    private final Path root;
    private final Map<String, String> env;

    /**
     * @param root the file-system root the default locations are resolved against ("/")
     * @param env  the environment variables (System.getenv())
     */
    public MpiLibraryFinder(Path root, Map<String, String> env) {
        this.root = root;
        this.env = env;
    }

    public static MpiLibraryFinder system() {
        return new MpiLibraryFinder(Path.of("/"), System.getenv());
    }

    /** The folders searched, in order, that exist (DSF4J_MPI_LIB's folder first when it names a file). */
    public List<Path> searchPath() {
        LinkedHashSet<Path> out = new LinkedHashSet<>();
        String explicit = env.get("DSF4J_MPI_LIB");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            out.add(Files.isDirectory(p) ? p : p.toAbsolutePath().getParent());
        }
        for (String dir : split(env.get("LD_LIBRARY_PATH"))) out.add(Path.of(dir));
        for (String var : new String[] {"OPAL_PREFIX", "MPI_HOME", "MPI_ROOT"}) {
            String home = env.get(var);
            if (home != null && !home.isBlank()) {
                out.add(Path.of(home, "lib"));
                out.add(Path.of(home, "lib64"));
            }
        }
        for (String dir : split(env.get("PATH"))) {
            Path mpirun = Path.of(dir, "mpirun");
            if (Files.isRegularFile(mpirun)) {
                Path real = realPath(mpirun);
                out.add(real.getParent().resolveSibling("lib"));
                out.add(real.getParent().resolveSibling("lib64"));
                break;
            }
        }
        for (String d : DEFAULT_DIRS) out.add(root.resolve(d));
        List<Path> versioned = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("opt"), "openmpi-*")) {
            for (Path p : ds) versioned.add(p);
        } catch (IOException | SecurityException e) {
            // no /opt, or unreadable: nothing there
        }
        versioned.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        for (Path p : versioned) out.add(p.resolve("lib"));
        List<Path> existing = new ArrayList<>();
        for (Path p : out) if (Files.isDirectory(p)) existing.add(p);
        return existing;
    }

    /**
     * The library: {@code DSF4J_MPI_LIB} when it names a file (whatever its name), else the first
     * {@value #LIBRARY} on the search path.
     *
     * @throws IllegalArgumentException when {@code DSF4J_MPI_LIB} names something that does not exist
     */
    public Optional<Path> find() {
        String explicit = env.get("DSF4J_MPI_LIB");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (Files.isRegularFile(p)) return Optional.of(p);
            if (!Files.isDirectory(p) || !Files.isRegularFile(p.resolve(LIBRARY))) {
                throw new IllegalArgumentException("DSF4J_MPI_LIB=" + explicit + " is neither Open MPI's library file nor a folder holding " + LIBRARY
                        + ": point it at libmpi.so.40 (e.g. /usr/lib/x86_64-linux-gnu/libmpi.so.40), or unset it");
            }
        }
        for (Path dir : searchPath()) {
            Path f = dir.resolve(LIBRARY);
            if (Files.isRegularFile(f)) return Optional.of(f);
        }
        return Optional.empty();
    }

    /** Where {@link #find} looked, for the error line when it found nothing. */
    public String searched() {
        return "DSF4J_MPI_LIB, LD_LIBRARY_PATH, OPAL_PREFIX/MPI_HOME/MPI_ROOT, beside mpirun, /usr/lib/x86_64-linux-gnu, /usr/lib64/openmpi/lib, /usr/local/lib, /opt/openmpi*";
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath();
        }
    }

    private static List<String> split(String pathList) {
        List<String> out = new ArrayList<>();
        if (pathList == null) return out;
        for (String s : pathList.split(":")) if (!s.isBlank()) out.add(s);
        return out;
    }
}
