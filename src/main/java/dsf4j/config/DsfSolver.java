package dsf4j.config;

/**
 * How DSF's backward recurrence δ_t = e_t + λ ⊙ δ_{t+1} (eq. 13) is solved. All three give the
 * same δ (eq. 14, δ_t = Σ_k λ^k e_{t+k}); they differ in work and in how parallel they are.
 */
public enum DsfSolver {
    /** Sequential sweep from t = T down to 1: O(T·D) work, T dependent steps. */
    SCAN,
    /** Parallel prefix scan over affine pairs (a, b): O(T·D·log T) work, log T dependent rounds. */
    PREFIX,
    /** FFT convolution of the reversed sequence with the kernel λ^k: O(T·D·log T) work. */
    FFT;

    public String id() {
        return name().toLowerCase();
    }

    public static DsfSolver parse(String s) {
        for (DsfSolver v : values()) if (v.id().equalsIgnoreCase(s)) return v;
        throw new IllegalArgumentException("unknown DSF solver '" + s + "': use scan, prefix or fft");
    }
}
