package dsf4j.engine.fast;

import dsf4j.config.CellType;
import jdk.incubator.vector.FloatVector;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * RNN (tanh), float32: h = tanh(gi + gh); no cache (the backward reads h = s_t); direct part 0 (all of
 * δ·J goes through W_hh).
 */
final class RnnKernel extends CellKernel {

    RnnKernel(int hidden) {
        super(CellType.RNN, hidden);
    }

    @Override
    void forwardRow(float[] gi, int a, float[] gh, int b, float[] prev, int p, float[] s, int o, float[] cache, int c) {
        add(gi, a, gh, b, s, o, h);
        VectorMath.tanhInPlace(s, o, o + h);
    }

    /** dGi = δ ⊙ (1 − h²). */
    @Override
    void backwardRow(float[] delta, int e, float[] s, int st, float[] prev, int p, float[] cache, int c,
                     float[] dGi, float[] dGh, int o, float[] direct, int q) {
        int j = 0, vb = Simd.bound(h);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; j < vb; j += L) {
            FloatVector hv = v(s, st + j);
            v(delta, e + j).mul(hv.neg().fma(hv, one)).intoArray(dGi, o + j);
        }
        for (; j < h; j++) dGi[o + j] = delta[e + j] * (1 - s[st + j] * s[st + j]);
        if (direct != null) java.util.Arrays.fill(direct, q, q + h, 0f);
    }
}
