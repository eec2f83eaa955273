package dsf4j.engine.fast;

import dsf4j.config.CellType;
import jdk.incubator.vector.FloatVector;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * GRU, float32, gates r, z, n: r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r ⊙ gh_n),
 * h = (1 − z) ⊙ n + z ⊙ h_{t−1}. Cache [r, z, n, gh_n]; dGh_n = dGi_n ⊙ r; direct part δ ⊙ z.
 */
final class GruKernel extends CellKernel {

    GruKernel(int hidden) {
        super(CellType.GRU, hidden);
    }

    @Override
    void forwardRow(float[] gi, int a, float[] gh, int b, float[] prev, int p, float[] s, int o, float[] cache, int c) {
        add(gi, a, gh, b, cache, c, 2 * h);                                      // r, z pre-activations
        VectorMath.sigmoidInPlace(cache, c, c + 2 * h);
        System.arraycopy(gh, b + 2 * h, cache, c + 3 * h, h);                    // gh_n, kept for the backward
        mulAdd(cache, c, gh, b + 2 * h, gi, a + 2 * h, cache, c + 2 * h, h);     // gi_n + r ⊙ gh_n
        VectorMath.tanhInPlace(cache, c + 2 * h, c + 3 * h);
        interpolate(cache, c + h, prev, p, cache, c + 2 * h, s, o, h);           // n + z ⊙ (h_{t−1} − n)
    }

    @Override
    void backwardRow(float[] delta, int e, float[] s, int st, float[] prev, int p, float[] cache, int c,
                     float[] dGi, float[] dGh, int o, float[] direct, int q) {
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
}
