package dsf4j.config;

import java.util.List;
import java.util.Objects;

/**
 * How the gradient crosses time inside a recurrent layer (the paper's eq. 11 and its approximations):
 * the names the command line, configs and files use. What each one does is its class in {@code dsf4j.grad}
 * ({@code GradientMethod.of} maps a name to it).
 *
 * <p>A method is a {@link Kind} and, for the kinds that have one, its parameter: {@code hybrid:K} carries
 * its window K. The three parameterless methods are single instances ({@link #BPTT}, {@link #FTBPTT},
 * {@link #DSF}), so {@code ==} works for them; compare methods in general with {@link #equals}.
 */
public final class Method {

    public enum Kind {
        /** Exact: δ_t = e_t + δ_{t+1} J_{t+1} (eq. 11). */
        BPTT,
        /** Fully truncated: δ_t = e_t (DSF with λ = 0). */
        FTBPTT,
        /** Diagonal State Feedbacks: δ_t = e_t + λ ⊙ δ_{t+1} (eq. 13). */
        DSF,
        /** Exact inside windows of K steps, DSF's δ across them ({@code grad.Hybrid}). */
        HYBRID
    }

    public static final Method BPTT = new Method(Kind.BPTT, 0);
    public static final Method FTBPTT = new Method(Kind.FTBPTT, 0);
    public static final Method DSF = new Method(Kind.DSF, 0);

    /** The {@code --method} choices, for help texts and error messages (a compile-time constant). */
    public static final String CHOICES = "bptt, ftbptt, dsf or hybrid:K (K ≥ 1: exact BPTT inside windows of K steps, DSF across them)";

    private final Kind kind;
    private final int window;

    private Method(Kind kind, int window) {
        this.kind = kind;
        this.window = window;
    }

    /**
     * Exact BPTT inside windows of {@code window} steps, DSF across them: {@code hybrid:1} is DSF,
     * {@code hybrid:T} (or more) is BPTT.
     */
    public static Method hybrid(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("--method hybrid:" + window + ": the window K must be at least 1 (hybrid:1 is DSF, hybrid:T is BPTT)");
        }
        return new Method(Kind.HYBRID, window);
    }

    /** The paper's three methods, those without a parameter, in the order files list them. */
    public static List<Method> values() {
        return List.of(BPTT, FTBPTT, DSF);
    }

    public Kind kind() {
        return kind;
    }

    /** K, the window of {@code hybrid:K}; 0 for the other methods. */
    public int window() {
        return window;
    }

    /** Whether the method reads the layers' λ (DSF and the hybrid's steps across windows). */
    public boolean usesLambda() {
        return kind == Kind.DSF || kind == Kind.HYBRID;
    }

    /** The name as flags and files spell it: bptt, ftbptt, dsf, hybrid:K. */
    public String id() {
        return kind == Kind.HYBRID ? "hybrid:" + window : kind.name().toLowerCase();
    }

    /**
     * Parses a name as {@link #id} writes it (case and hyphens ignored in the kind: FT-BPTT, DSF).
     *
     * @throws IllegalArgumentException naming the problem and the choices
     */
    public static Method parse(String s) {
        String t = s.trim().toLowerCase();
        if (t.startsWith("hybrid")) {
            String k = t.substring("hybrid".length());
            if (!k.startsWith(":") || !k.substring(1).matches("[0-9]{1,9}")) {
                throw new IllegalArgumentException("malformed method '" + s + "': write hybrid:K with a window of K ≥ 1 steps, e.g. hybrid:4");
            }
            return hybrid(Integer.parseInt(k.substring(1)));
        }
        for (Method m : values()) {
            if (m.id().equals(t.replace("-", ""))) return m;
        }
        throw new IllegalArgumentException("unknown method '" + s + "': use " + CHOICES);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Method m && m.kind == kind && m.window == window;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, window);
    }

    @Override
    public String toString() {
        return id();
    }
}
