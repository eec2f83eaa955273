package dsf4j.config;

/**
 * How the gradient crosses time inside a recurrent layer (the paper's eq. 11 and its approximations):
 * the names the command line, configs and files use. What each one does is its class in {@code dsf4j.grad}
 * ({@code GradientMethod.of} maps a name to it).
 */
public enum Method {
    /** Exact: δ_t = e_t + δ_{t+1} J_{t+1} (eq. 11). */
    BPTT,
    /** Fully truncated: δ_t = e_t (DSF with λ = 0). */
    FTBPTT,
    /** Diagonal State Feedbacks: δ_t = e_t + λ ⊙ δ_{t+1} (eq. 13). */
    DSF;

    /** The {@code --method} choices, for help texts and error messages (a compile-time constant). */
    public static final String CHOICES = "bptt, ftbptt or dsf";

    public String id() {
        return name().toLowerCase();
    }

    public static Method parse(String s) {
        for (Method m : values()) {
            if (m.id().equals(s.toLowerCase().replace("-", ""))) return m;
        }
        throw new IllegalArgumentException("unknown method '" + s + "': use " + CHOICES);
    }
}
