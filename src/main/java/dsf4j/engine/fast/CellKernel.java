package dsf4j.engine.fast;

import dsf4j.config.CellType;
import jdk.incubator.vector.FloatVector;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * The fused, vectorised gate kernels of one cell type: forward of one step given the two gate
 * pre-activation matrices, and the local backward (s_{t−1} held fixed) of any set of rows. PyTorch's
 * equations and gate order; the double-precision versions are in {@code engine.reference}.
 *
 * <pre>
 * gi = x·W_ihᵀ + b_ih, gh = h_{t−1}·W_hhᵀ + b_hh      [rows, G·H]
 * RNN:  h = tanh(gi + gh)                              cache: none
 * GRU:  r = σ(gi_r+gh_r), z = σ(gi_z+gh_z), n = tanh(gi_n + r⊙gh_n), h = (1−z)⊙n + z⊙h_{t−1}
 *                                                      cache: [r, z, n, gh_n]  [rows, 4H]
 * LSTM: i,f,o = σ(·), g = tanh(·) of gi+gh; c = f⊙c_{t−1} + i⊙g; h = o⊙tanh(c); s = [h, c]
 *                                                      cache: [i, f, g, o, tanh c]  [rows, 5H]
 * </pre>
 * Backward, δ = ∂L/∂s_t: writes dGi = ∂L/∂gi and dGh = ∂L/∂gh (the same array except for the GRU,
 * whose n block differs: dGh_n = dGi_n ⊙ r), and, when asked, the part of δ·J_t that does not go
 * through W_hh (GRU: δ⊙z; LSTM c half: dc⊙f; RNN: none).
 */
final class CellKernel {

    final CellType type;
    final int h, g, d, cacheWidth;

    CellKernel(CellType type, int hidden) {
        this.type = type;
        this.h = hidden;
        this.g = type.gates * hidden;
        this.d = type.stateSize(hidden);
        this.cacheWidth = switch (type) {
            case RNN -> 0;
            case GRU -> 4 * hidden;
            case LSTM -> 5 * hidden;
        };
    }

    /** Whether dGh differs from dGi (only the GRU's n block does). */
    boolean separateHiddenGradient() {
        return type == CellType.GRU;
    }

    /**
     * One step for {@code rows} rows.
     *
     * @param gi    x·W_ihᵀ + b_ih from giOff, [rows, G·H], read only
     * @param gh    h_{t−1}·W_hhᵀ + b_hh from ghOff, [rows, G·H], read only
     * @param prev  s_{t−1} from prevOff, [rows, D], read only (a zero block for s_{−1} = 0; never null, so
     *              the vector code has no branch)
     * @param s     s_t output from sOff, [rows, D]
     * @param cache gates output from cOff, [rows, cacheWidth]
     */
    void forward(int rows, float[] gi, int giOff, float[] gh, int ghOff, float[] prev, int prevOff,
                 float[] s, int sOff, float[] cache, int cOff) {
        for (int row = 0; row < rows; row++) {
            int a = giOff + row * g, b = ghOff + row * g, p = prevOff + row * d, o = sOff + row * d, c = cOff + row * cacheWidth;
            switch (type) {
                case RNN -> {
                    add(gi, a, gh, b, s, o, h);
                    VectorMath.tanhInPlace(s, o, o + h);
                }
                case GRU -> {
                    add(gi, a, gh, b, cache, c, 2 * h);                          // r, z pre-activations
                    VectorMath.sigmoidInPlace(cache, c, c + 2 * h);
                    System.arraycopy(gh, b + 2 * h, cache, c + 3 * h, h);        // gh_n, kept for the backward
                    mulAdd(cache, c, gh, b + 2 * h, gi, a + 2 * h, cache, c + 2 * h, h);   // gi_n + r ⊙ gh_n
                    VectorMath.tanhInPlace(cache, c + 2 * h, c + 3 * h);
                    interpolate(cache, c + h, prev, p, cache, c + 2 * h, s, o, h); // n + z ⊙ (h_{t−1} − n)
                }
                case LSTM -> {
                    add(gi, a, gh, b, cache, c, 4 * h);
                    VectorMath.sigmoidInPlace(cache, c, c + 2 * h);              // i, f
                    VectorMath.tanhInPlace(cache, c + 2 * h, c + 3 * h);         // g
                    VectorMath.sigmoidInPlace(cache, c + 3 * h, c + 4 * h);      // o
                    mul(cache, c, cache, c + 2 * h, s, o + h, h);                // c = i ⊙ g
                    mulAdd(cache, c + h, prev, p + h, s, o + h, s, o + h, h);    //   + f ⊙ c_{t−1}
                    System.arraycopy(s, o + h, cache, c + 4 * h, h);
                    VectorMath.tanhInPlace(cache, c + 4 * h, c + 5 * h);         // tanh c
                    mul(cache, c + 3 * h, cache, c + 4 * h, s, o, h);            // h = o ⊙ tanh c
                }
            }
        }
    }

    /** z = x + y over w floats. */
    private static void add(float[] x, int xo, float[] y, int yo, float[] z, int zo, int w) {
        int j = 0, vb = Simd.bound(w);
        for (; j < vb; j += L) v(x, xo + j).add(v(y, yo + j)).intoArray(z, zo + j);
        for (; j < w; j++) z[zo + j] = x[xo + j] + y[yo + j];
    }

    /** z = x ⊙ y over w floats. */
    private static void mul(float[] x, int xo, float[] y, int yo, float[] z, int zo, int w) {
        int j = 0, vb = Simd.bound(w);
        for (; j < vb; j += L) v(x, xo + j).mul(v(y, yo + j)).intoArray(z, zo + j);
        for (; j < w; j++) z[zo + j] = x[xo + j] * y[yo + j];
    }

    /** out = x ⊙ y + z over w floats (fused). */
    private static void mulAdd(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo, int w) {
        int j = 0, vb = Simd.bound(w);
        for (; j < vb; j += L) v(x, xo + j).fma(v(y, yo + j), v(z, zo + j)).intoArray(out, oo + j);
        for (; j < w; j++) out[oo + j] = Math.fma(x[xo + j], y[yo + j], z[zo + j]);
    }

    /** out = n + z ⊙ (hp − n) over w floats. */
    private static void interpolate(float[] z, int zo, float[] hp, int ho, float[] n, int no, float[] out, int oo, int w) {
        int j = 0, vb = Simd.bound(w);
        for (; j < vb; j += L) {
            FloatVector nv = v(n, no + j);
            v(z, zo + j).fma(v(hp, ho + j).sub(nv), nv).intoArray(out, oo + j);
        }
        for (; j < w; j++) out[oo + j] = Math.fma(z[zo + j], hp[ho + j] - n[no + j], n[no + j]);
    }

    /**
     * Local backward of {@code rows} rows (any steps; each row is independent).
     *
     * @param delta  δ from dOff, [rows, D], read only
     * @param s      s_t from sOff, [rows, D] (RNN reads h), read only
     * @param prev   s_{t−1} from prevOff, [rows, D], read only (a zero block for s_{−1} = 0; never null, so
     *              the vector code has no branch)
     * @param cache  the forward's gates from cOff, read only
     * @param dGi    output from gOff, [rows, G·H]
     * @param dGh    output from gOff, [rows, G·H]; may be dGi unless {@link #separateHiddenGradient}
     * @param direct output from dirOff, [rows, D]: δ·J_t minus its W_hh part, or null if not needed
     */
    void backward(int rows, float[] delta, int dOff, float[] s, int sOff, float[] prev, int prevOff,
                  float[] cache, int cOff, float[] dGi, float[] dGh, int gOff, float[] direct, int dirOff) {
        for (int row = 0; row < rows; row++) {
            int e = dOff + row * d, st = sOff + row * d, p = prevOff + row * d, c = cOff + row * cacheWidth,
                    o = gOff + row * g, q = dirOff + row * d;
            switch (type) {   // one small method per cell: each is compiled (and its vector code intrinsified) on its own
                case RNN -> rnnBackward(delta, e, s, st, dGi, o, direct, q);
                case GRU -> gruBackward(delta, e, prev, p, cache, c, dGi, dGh, o, direct, q);
                case LSTM -> lstmBackward(delta, e, prev, p, cache, c, dGi, o, direct, q);
            }
        }
    }

    /** One row: dGi = δ ⊙ (1 − h²); no direct part. */
    private void rnnBackward(float[] delta, int e, float[] s, int st, float[] dGi, int o, float[] direct, int q) {
        int j = 0, vb = Simd.bound(h);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; j < vb; j += L) {
            FloatVector hv = v(s, st + j);
            v(delta, e + j).mul(hv.neg().fma(hv, one)).intoArray(dGi, o + j);
        }
        for (; j < h; j++) dGi[o + j] = delta[e + j] * (1 - s[st + j] * s[st + j]);
        if (direct != null) java.util.Arrays.fill(direct, q, q + h, 0f);
    }

    /** One row of the GRU; direct = δ ⊙ z. */
    private void gruBackward(float[] delta, int e, float[] prev, int p, float[] cache, int c, float[] dGi, float[] dGh, int o,
                             float[] direct, int q) {
        int j = 0, vb = Simd.bound(h);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; j < vb; j += L) {
            FloatVector r = v(cache, c + j), z = v(cache, c + h + j), n = v(cache, c + 2 * h + j), ghn = v(cache, c + 3 * h + j);
            FloatVector dl = v(delta, e + j), hp = v(prev, p + j);
            FloatVector dn = dl.mul(one.sub(z)).mul(n.neg().fma(n, one));
            FloatVector dz = dl.mul(hp.sub(n)).mul(z).mul(one.sub(z));
            FloatVector dr = dn.mul(ghn).mul(r).mul(one.sub(r));
            dr.intoArray(dGi, o + j);
            dz.intoArray(dGi, o + h + j);
            dn.intoArray(dGi, o + 2 * h + j);
            dr.intoArray(dGh, o + j);
            dz.intoArray(dGh, o + h + j);
            dn.mul(r).intoArray(dGh, o + 2 * h + j);
            if (direct != null) dl.mul(z).intoArray(direct, q + j);
        }
        for (; j < h; j++) {
            float r = cache[c + j], z = cache[c + h + j], n = cache[c + 2 * h + j], ghn = cache[c + 3 * h + j];
            float dl = delta[e + j], hp = prev[p + j];
            float dn = dl * (1 - z) * (1 - n * n);
            float dz = dl * (hp - n) * z * (1 - z);
            float dr = dn * ghn * r * (1 - r);
            dGi[o + j] = dr;
            dGi[o + h + j] = dz;
            dGi[o + 2 * h + j] = dn;
            dGh[o + j] = dr;
            dGh[o + h + j] = dz;
            dGh[o + 2 * h + j] = dn * r;
            if (direct != null) direct[q + j] = dl * z;
        }
    }

    /** One row of the LSTM (δ = [δh, δc]); direct: 0 in the h half, dc ⊙ f in the c half. */
    private void lstmBackward(float[] delta, int e, float[] prev, int p, float[] cache, int c, float[] dGi, int o, float[] direct, int q) {
        int j = 0, vb = Simd.bound(h);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; j < vb; j += L) {
            FloatVector i = v(cache, c + j), f = v(cache, c + h + j), gg = v(cache, c + 2 * h + j),
                    og = v(cache, c + 3 * h + j), tc = v(cache, c + 4 * h + j);
            FloatVector cp = v(prev, p + h + j);
            FloatVector dh = v(delta, e + j);
            FloatVector dc = dh.mul(og).mul(tc.neg().fma(tc, one)).add(v(delta, e + h + j));
            dc.mul(gg).mul(i).mul(one.sub(i)).intoArray(dGi, o + j);
            dc.mul(cp).mul(f).mul(one.sub(f)).intoArray(dGi, o + h + j);
            dc.mul(i).mul(gg.neg().fma(gg, one)).intoArray(dGi, o + 2 * h + j);
            dh.mul(tc).mul(og).mul(one.sub(og)).intoArray(dGi, o + 3 * h + j);
            if (direct != null) dc.mul(f).intoArray(direct, q + h + j);
        }
        for (; j < h; j++) {
            float i = cache[c + j], f = cache[c + h + j], gg = cache[c + 2 * h + j], og = cache[c + 3 * h + j], tc = cache[c + 4 * h + j];
            float cp = prev[p + h + j];
            float dh = delta[e + j];
            float dc = delta[e + h + j] + dh * og * (1 - tc * tc);
            dGi[o + j] = dc * gg * i * (1 - i);
            dGi[o + h + j] = dc * cp * f * (1 - f);
            dGi[o + 2 * h + j] = dc * i * (1 - gg * gg);
            dGi[o + 3 * h + j] = dh * tc * og * (1 - og);
            if (direct != null) direct[q + h + j] = dc * f;
        }
        if (direct != null) java.util.Arrays.fill(direct, q, q + h, 0f);
    }

    private static FloatVector v(float[] a, int i) {
        return FloatVector.fromArray(F, a, i);
    }
}
