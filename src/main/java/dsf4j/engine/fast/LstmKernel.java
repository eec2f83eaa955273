package dsf4j.engine.fast;

import dsf4j.config.CellType;
import jdk.incubator.vector.FloatVector;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * LSTM, float32, gates i, f, g, o of gi + gh: i, f, o = σ(·), g = tanh(·); c = f ⊙ c_{t−1} + i ⊙ g,
 * h = o ⊙ tanh c; s = [h, c]. Cache [i, f, g, o, tanh c]; direct part 0 in the h half, dc ⊙ f in the c half.
 */
final class LstmKernel extends CellKernel {

    LstmKernel(int hidden) {
        super(CellType.LSTM, hidden);
    }

    @Override
    void forwardRow(float[] gi, int a, float[] gh, int b, float[] prev, int p, float[] s, int o, float[] cache, int c) {
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

    /** δ = [δh, δc]. */
    @Override
    void backwardRow(float[] delta, int e, float[] s, int st, float[] prev, int p, float[] cache, int c,
                     float[] dGi, float[] dGh, int o, float[] direct, int q) {
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
}
