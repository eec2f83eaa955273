package dsf4j.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The CUDA C++ program NVRTC compiles: {@code prelude.cuh} followed by every kernel file, each
 * behind a {@code #line} directive so that compiler messages name the right file and line.
 */
public final class KernelSource {

    /** The folder on the class path. */
    static final String FOLDER = "/dsf4j/cuda/";
    static final String PRELUDE = "prelude.cuh";
    /** The kernel files, compiled together as one program: each cell's (registered in {@link Kernel}), then the rest. */
    public static final List<String> FILES = files();

    private static List<String> files() {
        List<String> out = new java.util.ArrayList<>();
        for (Kernel k : Kernel.values()) {
            if (k.cell != null && !out.contains(Kernel.cellFile(k.cell))) out.add(Kernel.cellFile(k.cell));
        }
        out.addAll(List.of("dsf.cu", "layers.cu", "loss.cu"));
        return List.copyOf(out);
    }

    private KernelSource() {}

    /** One resource's text. */
    public static String read(String file) {
        try (InputStream in = KernelSource.class.getResourceAsStream(FOLDER + file)) {
            if (in == null) throw new IllegalStateException("kernel source " + FOLDER + file + " is missing from the class path: rebuild the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The prelude and one kernel file (what the tests hand nvcc file by file). */
    public static String unit(String file) {
        return "#line 1 \"" + PRELUDE + "\"\n" + read(PRELUDE) + "\n#line 1 \"" + file + "\"\n" + read(file);
    }

    /** The whole program: the prelude, then every file of {@link #FILES}. */
    public static String program() {
        StringBuilder sb = new StringBuilder("#line 1 \"" + PRELUDE + "\"\n").append(read(PRELUDE));
        for (String f : FILES) sb.append("\n#line 1 \"").append(f).append("\"\n").append(read(f));
        return sb.toString();
    }
}
