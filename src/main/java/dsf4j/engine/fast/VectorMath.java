package dsf4j.engine.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * Activations and small array operations in float32, vector body + scalar tail.
 */
public final class VectorMath {

    private VectorMath() {}

    // exp, tanh and sigmoid are built here from +, ×, fma and bit operations only, never from
    // lanewise EXP/TANH or Math.exp: those may differ between the interpreter and compiled code,
    // which would break "bitwise identical results" as soon as the JIT recompiles a kernel. Vector and
    // scalar forms run the same operations in the same order.

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float EXP_HI = 88.3762626647949f, EXP_LO = -87.3365447504019f;
    private static final float ROUND = 12582912f;                // 1.5·2²³: adding it rounds to an integer
    private static final float E1 = 1.9875691500e-4f, E2 = 1.3981999507e-3f, E3 = 8.3334519073e-3f,
            E4 = 4.1665795894e-2f, E5 = 1.6666665459e-1f, E6 = 5.0000001201e-1f;
    private static final float T1 = -5.70498872745e-3f, T2 = 2.06390887954e-2f, T3 = -5.37397155531e-2f,
            T4 = 1.33314422036e-1f, T5 = -3.33332819422e-1f;

    /**
     * e^x (Cephes expf): x = k·ln2 + r, |r| ≤ ln2/2, e^r by a degree-7 polynomial, 2^k through the
     * exponent bits. Relative error about 1e-7 on [−87.3, 88.4]; inputs are clamped to that range.
     */
    public static float exp(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float kr = Math.fma(x, LOG2E, ROUND);
        float k = kr - ROUND;
        int ki = Float.floatToRawIntBits(kr) - Float.floatToRawIntBits(ROUND);
        float r = Math.fma(k, -LN2_HI, x);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(E1, r, E2), r, E3), r, E4), r, E5), r, E6);
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat((ki + 127) << 23);
    }

    /** tanh(x): an odd polynomial for |x| &lt; 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)) (Cephes tanhf). */
    public static float tanh(float x) {
        float ax = Math.abs(x);
        if (ax < 0.625f) {
            float z = x * x;
            float p = Math.fma(Math.fma(Math.fma(Math.fma(T1, z, T2), z, T3), z, T4), z, T5);
            return Math.fma(p * z, x, x);
        }
        float t = 1f - 2f / (exp(2f * ax) + 1f);
        return Math.copySign(t, x);
    }

    public static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    /** GELU(x) = x·Φ(x), Φ(x) = (1 + erf(x/√2))/2: the exact form, PyTorch's nn.GELU() default. */
    public static float gelu(float x) {
        return 0.5f * x * (1f + erf(x * INV_SQRT2));
    }

    /** dGELU/dx = Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π). */
    public static float geluDerivative(float x) {
        return 0.5f * (1f + erf(x * INV_SQRT2)) + x * exp(-0.5f * x * x) * INV_SQRT_2PI;
    }

    /**
     * erf(x) by Abramowitz &amp; Stegun 7.1.26: 1 − (a1·t + … + a5·t⁵)·exp(−x²), t = 1/(1 + p·|x|),
     * absolute error ≤ 1.5e-7 (float rounding level).
     */
    public static float erf(float x) {
        float ax = Math.abs(x), t = 1f / (1f + P * ax);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        return Math.copySign(1f - poly * exp(-ax * ax), x);
    }

    static final float INV_SQRT2 = (float) (1 / Math.sqrt(2)), INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
    private static final float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f,
            A4 = -1.453152027f, A5 = 1.061405429f;

    // ---- vector forms ----------------------------------------------------------------------------

    public static FloatVector exp(FloatVector x) {
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector kr = x.fma(LOG2E, ROUND);
        FloatVector k = kr.sub(ROUND);
        IntVector ki = kr.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND));
        FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(E1, E2).fma(r, FloatVector.broadcast(F, E3)).fma(r, FloatVector.broadcast(F, E4))
                .fma(r, FloatVector.broadcast(F, E5)).fma(r, FloatVector.broadcast(F, E6));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector scale = ki.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(scale);
    }

    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(T1, T2).fma(z, FloatVector.broadcast(F, T3)).fma(z, FloatVector.broadcast(F, T4))
                .fma(z, FloatVector.broadcast(F, T5));
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector big = one.sub(FloatVector.broadcast(F, 2f).div(exp(ax.mul(2f)).add(1f)));
        big = big.lanewise(VectorOperators.NEG, x.lt(0f));
        return big.blend(small, ax.lt(0.625f));
    }

    public static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(F, 1f).div(exp(x.neg()).add(1f));
    }

    /** Σ of the lanes in lane order (reduceLanes(ADD) may reassociate differently once compiled). */
    public static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0; i < L; i++) s += v.lane(i);
        return s;
    }

    public static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector t = FloatVector.broadcast(F, 1f).div(ax.fma(P, 1f));
        FloatVector poly = t.fma(A5, A4).fma(t, FloatVector.broadcast(F, A3)).fma(t, FloatVector.broadcast(F, A2))
                .fma(t, FloatVector.broadcast(F, A1)).mul(t);
        FloatVector e = exp(ax.mul(ax).neg());
        FloatVector r = poly.neg().fma(e, FloatVector.broadcast(F, 1f));
        return r.lanewise(VectorOperators.NEG, x.lt(0f));
    }

    public static FloatVector gelu(FloatVector x) {
        return x.mul(0.5f).mul(erf(x.mul(INV_SQRT2)).add(1f));
    }

    public static FloatVector geluDerivative(FloatVector x) {
        FloatVector cdf = erf(x.mul(INV_SQRT2)).add(1f).mul(0.5f);
        FloatVector pdf = exp(x.mul(x).mul(-0.5f)).mul(INV_SQRT_2PI);
        return x.fma(pdf, cdf);
    }

    // ---- array kernels ---------------------------------------------------------------------------

    /** y[i] = GELU(x[i]) for i in [from, to). */
    public static void gelu(float[] x, float[] y, int from, int to) {
        int i = from, vb = from + Simd.bound(to - from);
        for (; i < vb; i += L) gelu(FloatVector.fromArray(F, x, i)).intoArray(y, i);
        for (; i < to; i++) y[i] = gelu(x[i]);
    }

    /** dx[i] = dy[i] · GELU'(x[i]) for i in [from, to); dx may be dy. */
    public static void geluBackward(float[] x, float[] dy, float[] dx, int from, int to) {
        int i = from, vb = from + Simd.bound(to - from);
        for (; i < vb; i += L) FloatVector.fromArray(F, dy, i).mul(geluDerivative(FloatVector.fromArray(F, x, i))).intoArray(dx, i);
        for (; i < to; i++) dx[i] = dy[i] * geluDerivative(x[i]);
    }

    /** y[i] += x[i], i in [0, n). */
    public static void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0, vb = Simd.bound(n);
        for (; i < vb; i += L) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += x[xOff + i];
    }

    /** Each of the {@code rows} rows of m (width w, from mOff) += bias[0 … w). */
    public static void addRowVector(float[] m, int mOff, int rows, int w, float[] bias) {
        for (int r = 0; r < rows; r++) addInPlace(m, mOff + r * w, bias, 0, w);
    }

    /**
     * sums[c] += Σ_r m[mOff + r·ld + c] for columns c in [c0, c1), rows summed in order r = 0 … rows−1
     * (a fixed order, whatever the caller's partition of the columns).
     */
    public static void addColumnSums(float[] m, int mOff, int rows, int ld, float[] sums, int c0, int c1) {
        for (int r = 0; r < rows; r++) addInPlace(sums, c0, m, mOff + r * ld + c0, c1 - c0);
    }
}
