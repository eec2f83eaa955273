package dsf4j.engine.fast;

import java.nio.file.Path;

/**
 * The blocking this JVM's {@link Gemm}s use, and why. In order:
 * <ol>
 *   <li>{@code -Ddsf4j.gemm=12x2 kc=256 mc=4092 nc=1792} (any part of it; the model fills in the rest,
 *       e.g. {@code -Ddsf4j.gemm=kc=192}), or {@code -Ddsf4j.gemm=model} for the model alone;</li>
 *   <li>the blocking {@code ./run.sh bench --tune gemm} stored for this machine ({@link TunedBlocking});</li>
 *   <li>the analytical model ({@link GemmModel}) on this machine's caches ({@link CpuInfo}, which
 *       {@code -Ddsf4j.cpu} can force).</li>
 * </ol>
 *
 * @param source "model", "tuned (file)", or "-Ddsf4j.gemm=…"
 */
public record GemmChoice(GemmBlocking blocking, CpuInfo cpu, String source) {

    private static GemmChoice current;

    /**
     * This JVM's choice, made once.
     *
     * @throws IllegalArgumentException for a bad {@code -Ddsf4j.gemm} or {@code -Ddsf4j.cpu}, naming the fix
     */
    public static synchronized GemmChoice current() {
        if (current == null) current = resolve(CpuInfo.current(), System.getProperty("dsf4j.gemm", ""), Simd.BITS, Simd.L);
        return current;
    }

    /** The choice for {@code cpu}, the property value {@code gemm}, at {@code bits} (0 = scalar) and {@code lanes}. */
    static GemmChoice resolve(CpuInfo cpu, String gemm, int bits, int lanes) {
        String g = gemm.strip();
        if (g.equalsIgnoreCase("model")) return new GemmChoice(GemmModel.choose(cpu, lanes), cpu, "model");
        if (!g.isEmpty()) {
            try {
                return new GemmChoice(GemmBlocking.parse(g, lanes, f -> GemmModel.complete(cpu, lanes, f)), cpu, "-Ddsf4j.gemm=" + g);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-Ddsf4j.gemm=" + g + ": " + e.getMessage()
                        + "; use e.g. -Ddsf4j.gemm='12x2 kc=256 mc=4092 nc=1792' (any part of it), or model");
            }
        }
        String key = TunedBlocking.key(cpu, bits);
        Path file = TunedBlocking.file(key);
        try {
            GemmBlocking tuned = TunedBlocking.read(file, key, lanes);
            if (tuned != null) return new GemmChoice(tuned, cpu, "tuned (" + file + ")");
        } catch (IllegalArgumentException e) {
            System.err.println("dsf4j: ignoring the tuned GEMM blocking: " + e.getMessage() + "; rerun ./run.sh bench --tune gemm or delete the file");
        }
        return new GemmChoice(GemmModel.choose(cpu, lanes), cpu, "model");
    }

    /** e.g. "GEMM blocking 12x2 (12 × 32 floats) kc=256 mc=1788 nc=4096 [model]". */
    public String describe() {
        return "GEMM blocking " + blocking.describe() + " [" + source + "]";
    }
}
