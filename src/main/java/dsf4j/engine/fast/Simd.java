package dsf4j.engine.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector species of the fast path, chosen once at class initialisation.
 *
 * <p>{@code -Ddsf4j.vectorBits=0|128|256|512} forces the width (0 = scalar: every kernel takes its
 * plain-loop tail for the whole range), so the tests can cover every width on one machine. The default
 * is the machine's preferred width (512 bits, 16 floats, on AVX-512).
 *
 * <p>Kernels follow one shape: {@code for (i = 0; i < bound(n); i += L) {vector body}; for (; i < n; i++)
 * {scalar tail}}, where {@link #bound} is 0 in scalar mode.
 */
public final class Simd {

    private Simd() {}

    /** Vector width in bits; 0 means scalar. */
    public static final int BITS = chooseBits();

    /** Whether vector code is disabled (every kernel runs its scalar loop). */
    public static final boolean SCALAR = BITS == 0;

    /** The float species; in scalar mode the 128-bit one (never used for arithmetic then). */
    public static final VectorSpecies<Float> F = switch (BITS) {
        case 0, 128 -> FloatVector.SPECIES_128;
        case 256 -> FloatVector.SPECIES_256;
        default -> FloatVector.SPECIES_512;
    };

    /** Floats per vector. */
    public static final int L = F.length();

    /** End of the vectorisable prefix of [0, n): a multiple of L, or 0 in scalar mode. */
    public static int bound(int n) {
        return SCALAR ? 0 : F.loopBound(n);
    }

    private static int chooseBits() {
        String s = System.getProperty("dsf4j.vectorBits", "");
        if (s.isBlank()) {
            int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
            return Math.min(preferred, 512) < 128 ? 0 : Math.min(preferred, 512);
        }
        int bits;
        try {
            bits = Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Ddsf4j.vectorBits=" + s + " is not a number: use 0, 128, 256 or 512");
        }
        if (bits != 0 && bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("-Ddsf4j.vectorBits=" + s + " is not a width: use 0, 128, 256 or 512");
        }
        if (bits > FloatVector.SPECIES_MAX.vectorBitSize()) {
            throw new IllegalArgumentException("-Ddsf4j.vectorBits=" + s + " exceeds this CPU's "
                    + FloatVector.SPECIES_MAX.vectorBitSize() + "-bit vectors: pick a smaller width");
        }
        return bits;
    }

    /** e.g. "512-bit (16 floats)" or "scalar". */
    public static String describe() {
        return SCALAR ? "scalar" : BITS + "-bit (" + L + " floats)";
    }
}
