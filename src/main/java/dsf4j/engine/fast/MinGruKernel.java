package dsf4j.engine.fast;

import dsf4j.config.CellType;
import jdk.incubator.vector.FloatVector;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * minGRU, float32, gates z, h̃ of gi alone (no gh): z = σ(gi_z), h̃ = gi_h̃, h = (1 − z) ⊙ h_{t−1} + z ⊙ h̃.
 * Cache [z, h̃]; no dGh; direct part δ ⊙ (1 − z), which is all of δ·J.
 */
final class MinGruKernel extends CellKernel {

    MinGruKernel(int hidden) {
        super(CellType.MINGRU, hidden);
    }

    @Override
    void forwardRow(float[] gi, int a, float[] gh, int b, float[] prev, int p, float[] s, int o, float[] cache, int c) {
        System.arraycopy(gi, a, cache, c, 2 * h);                    // z pre-activation, h̃
        VectorMath.sigmoidInPlace(cache, c, c + h);                  // z
        interpolate(cache, c, cache, c + h, prev, p, s, o, h);       // h_{t−1} + z ⊙ (h̃ − h_{t−1})
    }

    @Override
    void backwardRow(float[] delta, int e, float[] s, int st, float[] prev, int p, float[] cache, int c,
                     float[] dGi, float[] dGh, int o, float[] direct, int q) {
        int j = 0, vb = Simd.bound(h);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; j < vb; j += L) {
            FloatVector z = v(cache, c + j), ht = v(cache, c + h + j), dl = v(delta, e + j), hp = v(prev, p + j);
            dl.mul(ht.sub(hp)).mul(z).mul(one.sub(z)).intoArray(dGi, o + j);   // through σ
            dl.mul(z).intoArray(dGi, o + h + j);
            if (direct != null) dl.mul(one.sub(z)).intoArray(direct, q + j);
        }
        for (; j < h; j++) {
            float z = cache[c + j], ht = cache[c + h + j], dl = delta[e + j], hp = prev[p + j];
            dGi[o + j] = dl * (ht - hp) * z * (1 - z);
            dGi[o + h + j] = dl * z;
            if (direct != null) direct[q + j] = dl * (1 - z);
        }
    }
}
