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
    //
    // The vector forms exist only as in-place passes over arrays, with exp's arithmetic written in the
    // loop body: a vector exp function of ~180 bytecodes is not inlined by C2 into a large kernel, and
    // a vector passed to a call that is not inlined is boxed (100 MB of garbage per training step).

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float EXP_HI = 88.3762626647949f, EXP_LO = -87.3365447504019f;
    private static final float ROUND = 12582912f;                // 1.5·2²³: adding it rounds to an integer
    private static final float E1 = 1.9875691500e-4f, E2 = 1.3981999507e-3f, E3 = 8.3334519073e-3f,
            E4 = 4.1665795894e-2f, E5 = 1.6666665459e-1f, E6 = 5.0000001201e-1f;

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

    /** tanh(x) = (1 − e)/(1 + e), e = e^{−2x} (absolute error about 1e-7; exp's clamp keeps e finite). */
    public static float tanh(float x) {
        float e = exp(-2f * x);
        return (1f - e) / (1f + e);
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

    // ---- array passes (vectorised) ---------------------------------------------------------------

    /** a[i] = e^{scale·a[i] − shift} for i in [from, to): the one place the vector exp is written. */
    public static void expInPlace(float[] a, int from, int to, float scale, float shift) {
        int i = from, vb = from + Simd.bound(to - from);
        FloatVector lnHi = FloatVector.broadcast(F, -LN2_HI), lnLo = FloatVector.broadcast(F, -LN2_LO);
        FloatVector e2 = FloatVector.broadcast(F, E2), e3 = FloatVector.broadcast(F, E3), e4 = FloatVector.broadcast(F, E4),
                e5 = FloatVector.broadcast(F, E5), e6 = FloatVector.broadcast(F, E6);
        for (; i < vb; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, i).mul(scale).sub(shift).max(EXP_LO).min(EXP_HI);
            FloatVector kr = x.fma(LOG2E, ROUND);
            FloatVector k = kr.sub(ROUND);
            IntVector ki = kr.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND));
            FloatVector r = k.fma(lnHi, x);
            r = k.fma(lnLo, r);
            FloatVector p = r.fma(E1, E2).fma(r, e3).fma(r, e4).fma(r, e5).fma(r, e6);
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            y.mul(ki.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).intoArray(a, i);
        }
        for (; i < to; i++) a[i] = exp(scale * a[i] - shift);
    }

    /** a[i] = σ(a[i]) = 1/(1 + e^{−a[i]}) for i in [from, to). */
    public static void sigmoidInPlace(float[] a, int from, int to) {
        expInPlace(a, from, to, -1f, 0f);
        reciprocalOfOnePlus(a, from, to, 1f, 0f);
    }

    /** a[i] = tanh(a[i]) = 2/(1 + e^{−2a[i]}) − 1 for i in [from, to) (the scalar form's formula). */
    public static void tanhInPlace(float[] a, int from, int to) {
        expInPlace(a, from, to, -2f, 0f);
        int i = from, vb = from + Simd.bound(to - from);
        for (; i < vb; i += L) {
            FloatVector e = FloatVector.fromArray(F, a, i);
            FloatVector.broadcast(F, 1f).sub(e).div(e.add(1f)).intoArray(a, i);
        }
        for (; i < to; i++) a[i] = (1f - a[i]) / (1f + a[i]);
    }

    /** a[i] = k/(1 + a[i]) − c. */
    private static void reciprocalOfOnePlus(float[] a, int from, int to, float k, float c) {
        int i = from, vb = from + Simd.bound(to - from);
        for (; i < vb; i += L) FloatVector.broadcast(F, k).div(FloatVector.fromArray(F, a, i).add(1f)).sub(c).intoArray(a, i);
        for (; i < to; i++) a[i] = k / (1f + a[i]) - c;
    }

    /** Σ a[from … to) with vector partial sums added in lane order (no reduceLanes: see {@link #sumLanes}). */
    public static float sum(float[] a, int from, int to) {
        int i = from, vb = from + Simd.bound(to - from);
        float s = 0;
        if (vb > from) {
            FloatVector acc = FloatVector.zero(F);
            for (; i < vb; i += L) acc = acc.add(FloatVector.fromArray(F, a, i));
            s = sumLanes(acc);
        }
        for (; i < to; i++) s += a[i];
        return s;
    }

    /** Σ of the lanes in lane order (reduceLanes(ADD) may reassociate differently once compiled). */
    public static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0; i < L; i++) s += v.lane(i);
        return s;
    }

    /**
     * y = GELU(x) over [from, to), in blocks of scratch.length: scratch = e^{−x²/2} by {@link #expInPlace},
     * then Φ from erf's A&amp;S polynomial (erf(u) = 1 − poly(t)·e^{−u²}, u = x/√2, e^{−u²} = scratch).
     */
    public static void gelu(float[] x, float[] y, int from, int to, float[] scratch) {
        geluPass(x, null, y, from, to, scratch);
    }

    /** dx = dy ⊙ GELU'(x) = dy ⊙ (Φ(x) + x·φ(x)) over [from, to); dx may be dy. */
    public static void geluBackward(float[] x, float[] dy, float[] dx, int from, int to, float[] scratch) {
        geluPass(x, dy, dx, from, to, scratch);
    }

    private static void geluPass(float[] x, float[] dy, float[] out, int from, int to, float[] scratch) {
        for (int b0 = from; b0 < to; b0 += scratch.length) {
            int m = Math.min(scratch.length, to - b0);
            for (int j = 0; j < m; j++) scratch[j] = x[b0 + j] * x[b0 + j];
            expInPlace(scratch, 0, m, -0.5f, 0f);                       // e^{−x²/2} = e^{−u²}
            int j = 0, vb = Simd.bound(m);
            for (; j < vb; j += L) {
                FloatVector xv = FloatVector.fromArray(F, x, b0 + j), e = FloatVector.fromArray(F, scratch, j);
                FloatVector au = xv.abs().mul(INV_SQRT2);
                FloatVector t = FloatVector.broadcast(F, 1f).div(au.fma(P, 1f));
                FloatVector poly = t.fma(A5, A4).fma(t, FloatVector.broadcast(F, A3)).fma(t, FloatVector.broadcast(F, A2))
                        .fma(t, FloatVector.broadcast(F, A1)).mul(t);
                FloatVector erfAbs = poly.neg().fma(e, FloatVector.broadcast(F, 1f));
                FloatVector erf = erfAbs.lanewise(VectorOperators.NEG, xv.lt(0f));
                FloatVector cdf = erf.add(1f).mul(0.5f);
                if (dy == null) {
                    xv.mul(cdf).intoArray(out, b0 + j);
                } else {
                    FloatVector d = xv.mul(e).fma(FloatVector.broadcast(F, INV_SQRT_2PI), cdf);   // Φ + x·φ
                    FloatVector.fromArray(F, dy, b0 + j).mul(d).intoArray(out, b0 + j);
                }
            }
            for (; j < m; j++) out[b0 + j] = dy == null ? gelu(x[b0 + j]) : dy[b0 + j] * geluDerivative(x[b0 + j]);
        }
    }

    // ---- small array kernels ---------------------------------------------------------------------

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
