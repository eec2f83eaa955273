package dsf4j.engine.fast;

import dsf4j.config.CellType;
import jdk.incubator.vector.FloatVector;

import static dsf4j.engine.fast.Simd.F;
import static dsf4j.engine.fast.Simd.L;

/**
 * The fused, vectorised kernels of one cell type under the float32 contract written in
 * {@link CellType}: the forward of one step from the pre-activations gi (bias included) and gh (bias
 * included), keeping the activated gates in a cache, and the local backward (s_{t−1} held fixed) of any
 * set of rows from that cache. One subclass per cell ({@link RnnKernel}, {@link GruKernel},
 * {@link LstmKernel}, {@link MinGruKernel}), each with the forward and backward of one row side by side,
 * vector body and scalar tail together; the double-precision versions are in {@code engine.reference}.
 *
 * <p>The row loops here call the subclass once per row: one small method per cell and direction, which
 * C2 compiles (and whose vector code it intrinsifies) within the first steps (README, "Allocation").
 *
 * <p>Layouts, per row: gi [G·H], gh [R·H], s and s_{t−1} [D], cache [cacheWidth], dGi [G·H], dGh with
 * dGi's layout (its first R blocks; the same array as dGi unless {@link #separateHiddenGradient}).
 */
abstract class CellKernel {

    final CellType type;
    /** H, G·H, R·H, D and the cache width, in floats. */
    final int h, g, gh, d, cacheWidth;

    CellKernel(CellType type, int hidden) {
        this.type = type;
        this.h = hidden;
        this.g = type.gates * hidden;
        this.gh = type.hiddenGates * hidden;
        this.d = type.stateSize(hidden);
        this.cacheWidth = type.cacheBlocks * hidden;
    }

    /** The fast engine's kernels of {@code type}: the one place that maps cell names to its classes. */
    static CellKernel of(CellType type, int hidden) {
        return switch (type) {
            case RNN -> new RnnKernel(hidden);
            case GRU -> new GruKernel(hidden);
            case LSTM -> new LstmKernel(hidden);
            case MINGRU -> new MinGruKernel(hidden);
        };
    }

    /** Whether dGh differs from dGi (only the GRU's n block does). */
    final boolean separateHiddenGradient() {
        return type.separateHiddenGradient;
    }

    /** Whether the cell reads h_{t−1} through weight_hh (R > 0). */
    final boolean hasHiddenGates() {
        return gh > 0;
    }

    /**
     * One step for {@code rows} rows.
     *
     * @param gi     x·W_ihᵀ + b_ih from giOff, [rows, G·H], read only
     * @param ghArr  h_{t−1}·W_hhᵀ + b_hh from ghOff, [rows, R·H], read only
     * @param prev   s_{t−1} from prevOff, [rows, D], read only (a zero block for s_{−1} = 0; never null, so
     *               the vector code has no branch)
     * @param s      s_t output from sOff, [rows, D]
     * @param cache  gates output from cOff, [rows, cacheWidth]
     */
    final void forward(int rows, float[] gi, int giOff, float[] ghArr, int ghOff, float[] prev, int prevOff,
                       float[] s, int sOff, float[] cache, int cOff) {
        for (int row = 0; row < rows; row++) {
            forwardRow(gi, giOff + row * g, ghArr, ghOff + row * gh, prev, prevOff + row * d, s, sOff + row * d,
                    cache, cOff + row * cacheWidth);
        }
    }

    /** One row of {@link #forward}, each argument at that row's offset. */
    abstract void forwardRow(float[] gi, int a, float[] ghArr, int b, float[] prev, int p, float[] s, int o, float[] cache, int c);

    /**
     * Local backward of {@code rows} rows (any steps; each row is independent).
     *
     * @param delta  δ from dOff, [rows, D], read only
     * @param s      s_t from sOff, [rows, D], read only
     * @param prev   s_{t−1} from prevOff, [rows, D], read only (a zero block for s_{−1} = 0; never null)
     * @param cache  the forward's gates from cOff, read only
     * @param dGi    output from gOff, [rows, G·H]
     * @param dGh    output from gOff, dGi's layout; may be dGi unless {@link #separateHiddenGradient}
     * @param direct output from dirOff, [rows, D]: δ·J_t minus its W_hh part, or null if not needed
     */
    final void backward(int rows, float[] delta, int dOff, float[] s, int sOff, float[] prev, int prevOff,
                        float[] cache, int cOff, float[] dGi, float[] dGh, int gOff, float[] direct, int dirOff) {
        for (int row = 0; row < rows; row++) {
            backwardRow(delta, dOff + row * d, s, sOff + row * d, prev, prevOff + row * d, cache, cOff + row * cacheWidth,
                    dGi, dGh, gOff + row * g, direct, dirOff + row * d);
        }
    }

    /** One row of {@link #backward}, each argument at that row's offset ({@code direct} may be null). */
    abstract void backwardRow(float[] delta, int e, float[] s, int st, float[] prev, int p, float[] cache, int c,
                              float[] dGi, float[] dGh, int o, float[] direct, int q);

    // ---------------------------------------------------------------------------------------------
    // Elementwise helpers the forward kernels share: vector body, then scalar tail.

    /** z = x + y over w floats. */
    static void add(float[] x, int xo, float[] y, int yo, float[] z, int zo, int w) {
        int j = 0, vb = Simd.bound(w);
        for (; j < vb; j += L) v(x, xo + j).add(v(y, yo + j)).intoArray(z, zo + j);
        for (; j < w; j++) z[zo + j] = x[xo + j] + y[yo + j];
    }

    /** z = x ⊙ y over w floats. */
    static void mul(float[] x, int xo, float[] y, int yo, float[] z, int zo, int w) {
        int j = 0, vb = Simd.bound(w);
        for (; j < vb; j += L) v(x, xo + j).mul(v(y, yo + j)).intoArray(z, zo + j);
        for (; j < w; j++) z[zo + j] = x[xo + j] * y[yo + j];
    }

    /** out = x ⊙ y + z over w floats (fused). */
    static void mulAdd(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo, int w) {
        int j = 0, vb = Simd.bound(w);
        for (; j < vb; j += L) v(x, xo + j).fma(v(y, yo + j), v(z, zo + j)).intoArray(out, oo + j);
        for (; j < w; j++) out[oo + j] = Math.fma(x[xo + j], y[yo + j], z[zo + j]);
    }

    /** out = n + z ⊙ (hp − n) over w floats: (1 − z) ⊙ n + z ⊙ hp. */
    static void interpolate(float[] z, int zo, float[] hp, int ho, float[] n, int no, float[] out, int oo, int w) {
        int j = 0, vb = Simd.bound(w);
        for (; j < vb; j += L) {
            FloatVector nv = v(n, no + j);
            v(z, zo + j).fma(v(hp, ho + j).sub(nv), nv).intoArray(out, oo + j);
        }
        for (; j < w; j++) out[oo + j] = Math.fma(z[zo + j], hp[ho + j] - n[no + j], n[no + j]);
    }

    static FloatVector v(float[] a, int i) {
        return FloatVector.fromArray(F, a, i);
    }
}
