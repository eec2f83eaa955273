package dsf4j.engine.fast;

import dsf4j.config.DsfSolver;
import jdk.incubator.vector.FloatVector;
import org.jtransforms.fft.FloatFFT_1D;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * DSF's backward recurrence δ_t = e_t + λ ⊙ δ_{t+1} (eq. 13) in float32 on a time-major array:
 * x[t·N + c], N = B·D channels, channel c = b·D + i uses λ_i. The three solvers of {@link DsfSolver}
 * give the same δ (eq. 14); the reference versions are in {@code dsf4j.grad}.
 *
 * <p>Scratch is sized once for (T, B, D); {@link #solve} allocates nothing.
 */
public final class DiagonalSolvers {

    private final DsfSolver kind;
    private final int steps, batch, d, n;
    private final float[] powers;            // prefix: a_t per (t, unit), [T, D]
    private final FloatFFT_1D fft;           // fft: real transforms of size fftSize
    private final int fftSize;
    private final float[] kernel, signal;    // fft: [fftSize] each

    public DiagonalSolvers(DsfSolver kind, int steps, int batch, int d) {
        this.kind = kind;
        this.steps = steps;
        this.batch = batch;
        this.d = d;
        this.n = batch * d;
        this.powers = kind == DsfSolver.PREFIX ? new float[steps * d] : null;
        if (kind == DsfSolver.FFT) {
            org.visnow.jlargearrays.ConcurrencyUtils.setNumberOfThreads(1);   // parallelism is ours, not JTransforms'
            fftSize = Integer.highestOneBit(Math.max(1, 2 * steps - 1)) << 1;
            fft = new FloatFFT_1D(fftSize);
            kernel = new float[fftSize * d];
            signal = new float[fftSize];
        } else {
            fftSize = 0;
            fft = null;
            kernel = signal = null;
        }
    }

    public DsfSolver kind() {
        return kind;
    }

    /**
     * @param x      on entry e_t, on return δ_t; [T, B, D] time-major
     * @param lambda λ, [D], read only
     */
    public void solve(float[] x, float[] lambda) {
        switch (kind) {
            case SCAN -> scan(x, lambda);
            case PREFIX -> prefix(x, lambda);
            case FFT -> fft(x, lambda);
        }
    }

    /**
     * eq. 13 kept only at the last step of each window of {@code window} steps (t = cK + K − 1, and T − 1):
     * there x holds δ^DSF_t on return, everywhere else still e_t ({@code grad.RecurrentBackward#solveDiagonal(int)}).
     * The scan carries δ^DSF in {@code carry} and writes only the windows' ends (the same arithmetic as
     * {@link #solve}, so the same bits there); the other solvers solve in full and put e back from {@code keep}.
     *
     * @param carry scan: [B·D] scratch, overwritten
     * @param keep  prefix, fft: [T·B·D] scratch, overwritten (may be null for the scan)
     */
    public void solveAtWindowEnds(float[] x, float[] lambda, int window, float[] carry, float[] keep) {
        if (window == 1) {
            solve(x, lambda);
        } else if (kind == DsfSolver.SCAN) {
            scanAtWindowEnds(x, lambda, window, carry);
        } else {
            System.arraycopy(x, 0, keep, 0, steps * n);
            solve(x, lambda);
            for (int t = 0; t < steps - 1; t++) {
                if (t % window != window - 1) System.arraycopy(keep, t * n, x, t * n, n);   // inside a window: e_t again
            }
        }
    }

    /** {@link #scan} with δ^DSF_{t+1} in {@code carry} [B·D], written to x only at the windows' last steps. */
    private void scanAtWindowEnds(float[] x, float[] lambda, int window, float[] carry) {
        System.arraycopy(x, (steps - 1) * n, carry, 0, n);                     // δ^DSF_{T−1} = e_{T−1}
        int vb = Simd.bound(d);
        for (int t = steps - 2; t >= 0; t--) {
            int now = t * n;
            boolean end = t % window == window - 1;
            for (int b = 0; b < batch; b++) {
                int o = b * d, i = 0;
                for (; i < vb; i += L) {
                    FloatVector y = FloatVector.fromArray(F, carry, o + i).fma(FloatVector.fromArray(F, lambda, i), FloatVector.fromArray(F, x, now + o + i));
                    y.intoArray(carry, o + i);
                    if (end) y.intoArray(x, now + o + i);
                }
                for (; i < d; i++) {
                    float y = Math.fma(lambda[i], carry[o + i], x[now + o + i]);
                    carry[o + i] = y;
                    if (end) x[now + o + i] = y;
                }
            }
        }
    }

    /** eq. 13 as a sweep from t = T−2 down to 0, vectorised across the B·D channels of a step. */
    private void scan(float[] x, float[] lambda) {
        int vb = Simd.bound(d);
        for (int t = steps - 2; t >= 0; t--) {
            int now = t * n, next = now + n;
            for (int b = 0; b < batch; b++) {
                int o = b * d, i = 0;
                for (; i < vb; i += L) {
                    FloatVector lam = FloatVector.fromArray(F, lambda, i);
                    FloatVector.fromArray(F, x, next + o + i).fma(lam, FloatVector.fromArray(F, x, now + o + i)).intoArray(x, now + o + i);
                }
                for (; i < d; i++) x[now + o + i] = Math.fma(lambda[i], x[next + o + i], x[now + o + i]);
            }
        }
    }

    /**
     * Hillis–Steele prefix scan over the affine maps y ↦ a·y + b read backwards in time (see
     * {@code dsf4j.grad.PrefixScan}). In time order a round is x_t ← a_t·x_{t+o} + x_t, a_t ← a_t·a_{t+o}
     * for t + o &lt; T; running t upwards reads x_{t+o} before it is updated, so no copy is needed.
     * ⌈log₂ T⌉ rounds, each independent across t.
     */
    private void prefix(float[] x, float[] lambda) {
        for (int t = 0; t < steps; t++) System.arraycopy(lambda, 0, powers, t * d, d);
        int vb = Simd.bound(d);
        for (int offset = 1; offset < steps; offset *= 2) {
            for (int t = 0; t + offset < steps; t++) {
                int now = t * n, far = (t + offset) * n, a = t * d, aFar = (t + offset) * d;
                for (int b = 0; b < batch; b++) {
                    int o = b * d, i = 0;
                    for (; i < vb; i += L) {
                        FloatVector at = FloatVector.fromArray(F, powers, a + i);
                        FloatVector.fromArray(F, x, far + o + i).fma(at, FloatVector.fromArray(F, x, now + o + i)).intoArray(x, now + o + i);
                    }
                    for (; i < d; i++) x[now + o + i] = Math.fma(powers[a + i], x[far + o + i], x[now + o + i]);
                }
                for (int i = 0; i < d; i++) powers[a + i] *= powers[aFar + i];
            }
        }
    }

    /**
     * eq. 14 as a causal convolution of the time-reversed e with g_k = λ^k, zero-padded to a power of
     * two ≥ 2T so the circular product of the real FFTs is the linear convolution.
     */
    private void fft(float[] x, float[] lambda) {
        java.util.Arrays.fill(kernel, 0f);
        for (int i = 0; i < d; i++) {
            int o = i * fftSize;
            float power = 1f;                                  // λ^0 = 1, also when λ = 0
            for (int k = 0; k < steps; k++) {
                kernel[o + k] = power;
                power *= lambda[i];
            }
            fft.realForward(kernel, o);
        }
        for (int c = 0; c < n; c++) {
            java.util.Arrays.fill(signal, 0f);
            for (int k = 0; k < steps; k++) signal[k] = x[(steps - 1 - k) * n + c];
            fft.realForward(signal);
            multiplyPacked(signal, kernel, (c % d) * fftSize, fftSize);
            fft.realInverse(signal, true);
            for (int s = 0; s < steps; s++) x[(steps - 1 - s) * n + c] = signal[s];
        }
    }

    /** signal ← signal · kernel in JTransforms' packed real layout [Re0, Re(n/2), Re1, Im1, …]. */
    private static void multiplyPacked(float[] signal, float[] kernel, int ko, int size) {
        signal[0] *= kernel[ko];
        signal[1] *= kernel[ko + 1];
        for (int j = 2; j < size; j += 2) {
            float re = signal[j] * kernel[ko + j] - signal[j + 1] * kernel[ko + j + 1];
            float im = signal[j] * kernel[ko + j + 1] + signal[j + 1] * kernel[ko + j];
            signal[j] = re;
            signal[j + 1] = im;
        }
    }
}
