package dsf4j.config;

/** How the gradient crosses time inside a recurrent layer (the paper's eq. 11 and its approximations). */
public enum Method {
    /** Exact: δ_t = e_t + δ_{t+1} J_{t+1} (eq. 11). */
    BPTT,
    /** Fully truncated: δ_t = e_t (DSF with λ = 0). */
    FTBPTT,
    /** Diagonal State Feedbacks: δ_t = e_t + λ ⊙ δ_{t+1} (eq. 13). */
    DSF;

    public String id() {
        return name().toLowerCase();
    }

    public static Method parse(String s) {
        for (Method m : values()) {
            if (m.id().equals(s.toLowerCase().replace("-", ""))) return m;
        }
        throw new IllegalArgumentException("unknown method '" + s + "': use bptt, ftbptt or dsf");
    }
}
