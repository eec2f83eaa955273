package dsf4j.engine.cuda;

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
 * Where NVRTC and cuBLAS live. The driver (libcuda.so.1) comes with the NVIDIA driver and is found by
 * the system loader; the toolkit libraries are often off the loader's path (in the toolkit's
 * {@code targets/x86_64-linux/lib}, or in a Python environment's {@code site-packages/nvidia/…/lib}),
 * so they are searched for, in this order:
 * <ol>
 * <li>{@code DSF4J_CUDA_LIB_DIR} (colon-separated folders), when set;</li>
 * <li>{@code CUDA_HOME}, {@code CUDA_PATH}: their {@code lib64}, {@code targets/x86_64-linux/lib}, {@code lib};</li>
 * <li>the entries of {@code LD_LIBRARY_PATH};</li>
 * <li>{@code /usr/local/cuda}, then {@code /usr/local/cuda-*} newest first (same sub-folders);</li>
 * <li>Python environments' {@code site-packages/nvidia/cu13/lib}, {@code nvidia/cu12/lib}, {@code nvidia/*}{@code /lib};</li>
 * <li>{@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}.</li>
 * </ol>
 * A folder named {@code compat} is never searched: the toolkit's forward-compatibility libcuda there
 * would shadow the real driver. Within a folder the newer major version wins (.13 before .12).
 * Pure file-system logic with the root and environment passed in, so tests run it on fake folders.
 */
public final class LibraryFinder {

    /** Library base names and the major versions tried, newest first. */
    public static final String NVRTC = "libnvrtc.so";
    public static final String CUBLAS = "libcublas.so";
    static final int[] MAJORS = {13, 12};

    private static final String[] TOOLKIT_SUBDIRS = {"lib64", "targets/x86_64-linux/lib", "lib"};
    private static final String[] PYTHON_ROOTS = {
            "usr/lib/python3*/site-packages", "usr/lib/python3*/dist-packages",
            "usr/local/lib/python3*/site-packages", "usr/local/lib/python3*/dist-packages",
            "opt/*/.venv/lib/python3*/site-packages", "opt/*/lib/python3*/site-packages",
            "opt/conda/lib/python3*/site-packages", "root/.local/lib/python3*/site-packages"};

    private final Path root;
    private final Map<String, String> env;

    /**
     * @param root the file-system root the absolute default locations are resolved against ("/")
     * @param env  the environment variables (System.getenv())
     */
    public LibraryFinder(Path root, Map<String, String> env) {
        this.root = root;
        this.env = env;
    }

    /** The finder for this process. */
    public static LibraryFinder system() {
        return new LibraryFinder(Path.of("/"), System.getenv());
    }

    /** The folders searched, in order, that exist; compat folders left out. */
    public List<Path> searchPath() {
        LinkedHashSet<Path> out = new LinkedHashSet<>();
        for (String dir : split(env.get("DSF4J_CUDA_LIB_DIR"))) out.add(Path.of(dir));
        for (String var : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String home = env.get(var);
            if (home != null && !home.isBlank()) toolkit(Path.of(home), out);
        }
        for (String dir : split(env.get("LD_LIBRARY_PATH"))) out.add(Path.of(dir));
        toolkit(root.resolve("usr/local/cuda"), out);
        List<Path> versioned = glob("usr/local/cuda-*");
        versioned.sort(Comparator.comparing(LibraryFinder::versionKey).reversed());
        for (Path p : versioned) toolkit(p, out);
        for (String pattern : PYTHON_ROOTS) {
            for (Path site : glob(pattern)) {
                out.add(site.resolve("nvidia/cu13/lib"));
                out.add(site.resolve("nvidia/cu12/lib"));
                for (Path pkg : children(site.resolve("nvidia"))) out.add(pkg.resolve("lib"));
            }
        }
        out.add(root.resolve("usr/lib/x86_64-linux-gnu"));
        out.add(root.resolve("usr/lib64"));
        List<Path> existing = new ArrayList<>();
        for (Path p : out) if (!isCompat(p) && Files.isDirectory(p)) existing.add(p);
        return existing;
    }

    /**
     * The first {@code base.MAJOR} file on the search path, e.g. libcublas.so.13.
     *
     * @param base {@link #NVRTC} or {@link #CUBLAS}
     */
    public Optional<Path> find(String base) {
        for (Path dir : searchPath()) {
            for (int major : MAJORS) {
                Path f = dir.resolve(base + "." + major);
                if (Files.isRegularFile(f)) return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * The library {@code prefix} needs next to {@code lib} (libcublasLt beside libcublas.so.13,
     * libnvrtc-builtins beside libnvrtc.so.13): a file named {@code prefix.so.MAJOR…} with lib's major
     * version, else {@code prefix.so…}. Never a {@code prefix.alt.so…} (the toolkit ships
     * libnvrtc-builtins.alt.so.*, whose soname is not the one libnvrtc asks the loader for) nor a
     * static archive.
     */
    static Optional<Path> companion(Path lib, String prefix) {
        String name = lib.getFileName().toString();
        int so = name.indexOf(".so.");
        String major = so < 0 ? "" : name.substring(so + 4).split("\\.")[0];
        Path best = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(lib.getParent(), prefix + ".so*")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                boolean sameMajor = !major.isEmpty() && (n.equals(prefix + ".so." + major) || n.startsWith(prefix + ".so." + major + "."));
                if (sameMajor) return Optional.of(p);
                if (best == null || n.compareTo(best.getFileName().toString()) < 0) best = p;
            }
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(best);
    }

    /** True when some segment of the path is {@code compat}. */
    static boolean isCompat(Path p) {
        for (Path seg : p) if (seg.toString().equals("compat")) return true;
        return false;
    }

    private static void toolkit(Path home, LinkedHashSet<Path> out) {
        for (String sub : TOOLKIT_SUBDIRS) out.add(home.resolve(sub));
    }

    private static List<String> split(String pathList) {
        List<String> out = new ArrayList<>();
        if (pathList == null) return out;
        for (String s : pathList.split(":")) if (!s.isBlank()) out.add(s);
        return out;
    }

    /** Paths under the root matching a pattern whose segments may hold '*' (no '**'). */
    private List<Path> glob(String pattern) {
        List<Path> current = new ArrayList<>(List.of(root));
        for (String seg : pattern.split("/")) {
            List<Path> next = new ArrayList<>();
            for (Path dir : current) {
                if (!seg.contains("*")) {
                    Path p = dir.resolve(seg);
                    if (Files.exists(p)) next.add(p);
                    continue;
                }
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, seg)) {
                    for (Path p : ds) next.add(p);
                } catch (IOException | SecurityException e) {
                    // an unreadable or missing folder holds nothing to find
                }
            }
            current = next;
        }
        current.sort(Comparator.naturalOrder());
        return current;
    }

    private static List<Path> children(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path p : ds) out.add(p);
        } catch (IOException | SecurityException e) {
            return out;
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** cuda-13.0 → "0013.0000", so that 13.0 sorts after 12.8 and 9.2. */
    private static String versionKey(Path p) {
        String name = p.getFileName().toString().replace("cuda-", "");
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("\\.")) {
            if (!sb.isEmpty()) sb.append('.');
            sb.append(part.matches("\\d+") ? String.format("%04d", Integer.parseInt(part)) : part);
        }
        return sb.toString();
    }
}
