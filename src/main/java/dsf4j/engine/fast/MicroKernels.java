package dsf4j.engine.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM's micro-kernels: C[r][·] (+)= Σ_p pa[p][r] · pb[p][·] over one packed depth block, for an
 * MR × NR tile with NR = 2 vectors, MR ∈ {@link #ROWS}. pa is an MR-row panel of A (pa[ao + p·MR + r]),
 * pb a 2-vector panel of B (pb[bo + p·NR + j]); row r of the tile is c[co + r·ldc …], modified.
 *
 * <p>One method per MR, every accumulator a local variable: C2 keeps them in registers (an array of
 * accumulators is spilled: 7 GFLOP/s instead of 100). Each element's sum starts at 0 and takes one
 * fused multiply-add per p in increasing p, then is added to C once: whatever MR, NR or the vector
 * width, and in the scalar kernel ({@code vectorBits=0}, whose sums {@link Gemm} adds to C), the same depth
 * block gives the same bits.
 *
 * <p>MR 12 (24 accumulators, 2 B vectors, 1 broadcast: 27 of 32 registers) is the tile BLIS uses on
 * AVX-512 (its 32 × 12 in column-major terms); MR 6 (15 of 16) the one it uses on AVX2; MR 8 between.
 * With their data in L1 all of them ran at the FMA peak at 512, 256 and 128 bits (a prototype on the
 * Xeon of {@link GemmModel}'s comment); what differs is how often B's vectors are reloaded (MR + 2
 * loads per 2·MR FMAs) and how tall a panel of A the L1 must hold next to B's.
 */
final class MicroKernels {

    private MicroKernels() {}

    /** The MR of the vector kernels, all 2 vectors wide. */
    static final int[] ROWS = {6, 8, 12};

    /**
     * Runs the MR × (2 vectors) kernel, MR one of {@link #ROWS}: C += sums ({@code add}), or C = sums (the
     * first depth block of a product that overwrites C: the same bits as 0 + sums, as the sums starting
     * from +0 are never −0, and C is neither cleared beforehand nor read).
     */
    static void tile(int mr, int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc, boolean add) {
        switch (mr) {
            case 6 -> tile6x2(kc, pa, ao, pb, bo, c, co, ldc, add);
            case 8 -> tile8x2(kc, pa, ao, pb, bo, c, co, ldc, add);
            case 12 -> tile12x2(kc, pa, ao, pb, bo, c, co, ldc, add);
            default -> throw new IllegalArgumentException("no " + mr + "-row micro-kernel");
        }
    }

    /** The same tile product in plain loops (vectorBits=0), for any MR × NR: the sums into tile[r·NR + j] (overwritten), in the same p order. */
    static void scalarTile(int mr, int nr, int kc, float[] pa, int ao, float[] pb, int bo, float[] tile) {
        java.util.Arrays.fill(tile, 0, mr * nr, 0f);
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < mr; r++) {
                float av = pa[ao + p * mr + r];
                for (int j = 0; j < nr; j++) tile[r * nr + j] = Math.fma(av, pb[bo + p * nr + j], tile[r * nr + j]);
            }
        }
    }

    // Each kernel ends with C += sums (or C = sums), row by row: adding C here costs less than storing
    // the sums to a scratch tile and adding that to C in a second pass.

    /** The 6 × (2 vectors) tile: 12 accumulators, the 2 vectors of B's row p, one broadcast value of A. */
    static void tile6x2(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc, boolean add) {
        VectorSpecies<Float> s = Simd.F;
        int l = Simd.L, nr = 2 * l;
        FloatVector c0_0 = FloatVector.zero(s), c0_1 = FloatVector.zero(s);
        FloatVector c1_0 = FloatVector.zero(s), c1_1 = FloatVector.zero(s);
        FloatVector c2_0 = FloatVector.zero(s), c2_1 = FloatVector.zero(s);
        FloatVector c3_0 = FloatVector.zero(s), c3_1 = FloatVector.zero(s);
        FloatVector c4_0 = FloatVector.zero(s), c4_1 = FloatVector.zero(s);
        FloatVector c5_0 = FloatVector.zero(s), c5_1 = FloatVector.zero(s);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * nr, ai = ao + p * 6;
            FloatVector b0 = FloatVector.fromArray(s, pb, bi), b1 = FloatVector.fromArray(s, pb, bi + l);
            FloatVector a0 = FloatVector.broadcast(s, pa[ai]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(s, pa[ai + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(s, pa[ai + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(s, pa[ai + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(s, pa[ai + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(s, pa[ai + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
        }
        if (add) {
            c0_0.add(FloatVector.fromArray(s, c, co)).intoArray(c, co);
            c0_1.add(FloatVector.fromArray(s, c, co + l)).intoArray(c, co + l);
            c1_0.add(FloatVector.fromArray(s, c, co + ldc)).intoArray(c, co + ldc);
            c1_1.add(FloatVector.fromArray(s, c, co + ldc + l)).intoArray(c, co + ldc + l);
            c2_0.add(FloatVector.fromArray(s, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
            c2_1.add(FloatVector.fromArray(s, c, co + 2 * ldc + l)).intoArray(c, co + 2 * ldc + l);
            c3_0.add(FloatVector.fromArray(s, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
            c3_1.add(FloatVector.fromArray(s, c, co + 3 * ldc + l)).intoArray(c, co + 3 * ldc + l);
            c4_0.add(FloatVector.fromArray(s, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
            c4_1.add(FloatVector.fromArray(s, c, co + 4 * ldc + l)).intoArray(c, co + 4 * ldc + l);
            c5_0.add(FloatVector.fromArray(s, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
            c5_1.add(FloatVector.fromArray(s, c, co + 5 * ldc + l)).intoArray(c, co + 5 * ldc + l);
        } else {
            c0_0.intoArray(c, co);
            c0_1.intoArray(c, co + l);
            c1_0.intoArray(c, co + ldc);
            c1_1.intoArray(c, co + ldc + l);
            c2_0.intoArray(c, co + 2 * ldc);
            c2_1.intoArray(c, co + 2 * ldc + l);
            c3_0.intoArray(c, co + 3 * ldc);
            c3_1.intoArray(c, co + 3 * ldc + l);
            c4_0.intoArray(c, co + 4 * ldc);
            c4_1.intoArray(c, co + 4 * ldc + l);
            c5_0.intoArray(c, co + 5 * ldc);
            c5_1.intoArray(c, co + 5 * ldc + l);
        }
    }

    /** The 8 × (2 vectors) tile: 16 accumulators, the 2 vectors of B's row p, one broadcast value of A. */
    static void tile8x2(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc, boolean add) {
        VectorSpecies<Float> s = Simd.F;
        int l = Simd.L, nr = 2 * l;
        FloatVector c0_0 = FloatVector.zero(s), c0_1 = FloatVector.zero(s);
        FloatVector c1_0 = FloatVector.zero(s), c1_1 = FloatVector.zero(s);
        FloatVector c2_0 = FloatVector.zero(s), c2_1 = FloatVector.zero(s);
        FloatVector c3_0 = FloatVector.zero(s), c3_1 = FloatVector.zero(s);
        FloatVector c4_0 = FloatVector.zero(s), c4_1 = FloatVector.zero(s);
        FloatVector c5_0 = FloatVector.zero(s), c5_1 = FloatVector.zero(s);
        FloatVector c6_0 = FloatVector.zero(s), c6_1 = FloatVector.zero(s);
        FloatVector c7_0 = FloatVector.zero(s), c7_1 = FloatVector.zero(s);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * nr, ai = ao + p * 8;
            FloatVector b0 = FloatVector.fromArray(s, pb, bi), b1 = FloatVector.fromArray(s, pb, bi + l);
            FloatVector a0 = FloatVector.broadcast(s, pa[ai]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(s, pa[ai + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(s, pa[ai + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(s, pa[ai + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(s, pa[ai + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(s, pa[ai + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(s, pa[ai + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(s, pa[ai + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
        }
        if (add) {
            c0_0.add(FloatVector.fromArray(s, c, co)).intoArray(c, co);
            c0_1.add(FloatVector.fromArray(s, c, co + l)).intoArray(c, co + l);
            c1_0.add(FloatVector.fromArray(s, c, co + ldc)).intoArray(c, co + ldc);
            c1_1.add(FloatVector.fromArray(s, c, co + ldc + l)).intoArray(c, co + ldc + l);
            c2_0.add(FloatVector.fromArray(s, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
            c2_1.add(FloatVector.fromArray(s, c, co + 2 * ldc + l)).intoArray(c, co + 2 * ldc + l);
            c3_0.add(FloatVector.fromArray(s, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
            c3_1.add(FloatVector.fromArray(s, c, co + 3 * ldc + l)).intoArray(c, co + 3 * ldc + l);
            c4_0.add(FloatVector.fromArray(s, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
            c4_1.add(FloatVector.fromArray(s, c, co + 4 * ldc + l)).intoArray(c, co + 4 * ldc + l);
            c5_0.add(FloatVector.fromArray(s, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
            c5_1.add(FloatVector.fromArray(s, c, co + 5 * ldc + l)).intoArray(c, co + 5 * ldc + l);
            c6_0.add(FloatVector.fromArray(s, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
            c6_1.add(FloatVector.fromArray(s, c, co + 6 * ldc + l)).intoArray(c, co + 6 * ldc + l);
            c7_0.add(FloatVector.fromArray(s, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
            c7_1.add(FloatVector.fromArray(s, c, co + 7 * ldc + l)).intoArray(c, co + 7 * ldc + l);
        } else {
            c0_0.intoArray(c, co);
            c0_1.intoArray(c, co + l);
            c1_0.intoArray(c, co + ldc);
            c1_1.intoArray(c, co + ldc + l);
            c2_0.intoArray(c, co + 2 * ldc);
            c2_1.intoArray(c, co + 2 * ldc + l);
            c3_0.intoArray(c, co + 3 * ldc);
            c3_1.intoArray(c, co + 3 * ldc + l);
            c4_0.intoArray(c, co + 4 * ldc);
            c4_1.intoArray(c, co + 4 * ldc + l);
            c5_0.intoArray(c, co + 5 * ldc);
            c5_1.intoArray(c, co + 5 * ldc + l);
            c6_0.intoArray(c, co + 6 * ldc);
            c6_1.intoArray(c, co + 6 * ldc + l);
            c7_0.intoArray(c, co + 7 * ldc);
            c7_1.intoArray(c, co + 7 * ldc + l);
        }
    }

    /** The 12 × (2 vectors) tile: 24 accumulators, the 2 vectors of B's row p, one broadcast value of A. */
    static void tile12x2(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc, boolean add) {
        VectorSpecies<Float> s = Simd.F;
        int l = Simd.L, nr = 2 * l;
        FloatVector c0_0 = FloatVector.zero(s), c0_1 = FloatVector.zero(s);
        FloatVector c1_0 = FloatVector.zero(s), c1_1 = FloatVector.zero(s);
        FloatVector c2_0 = FloatVector.zero(s), c2_1 = FloatVector.zero(s);
        FloatVector c3_0 = FloatVector.zero(s), c3_1 = FloatVector.zero(s);
        FloatVector c4_0 = FloatVector.zero(s), c4_1 = FloatVector.zero(s);
        FloatVector c5_0 = FloatVector.zero(s), c5_1 = FloatVector.zero(s);
        FloatVector c6_0 = FloatVector.zero(s), c6_1 = FloatVector.zero(s);
        FloatVector c7_0 = FloatVector.zero(s), c7_1 = FloatVector.zero(s);
        FloatVector c8_0 = FloatVector.zero(s), c8_1 = FloatVector.zero(s);
        FloatVector c9_0 = FloatVector.zero(s), c9_1 = FloatVector.zero(s);
        FloatVector c10_0 = FloatVector.zero(s), c10_1 = FloatVector.zero(s);
        FloatVector c11_0 = FloatVector.zero(s), c11_1 = FloatVector.zero(s);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * nr, ai = ao + p * 12;
            FloatVector b0 = FloatVector.fromArray(s, pb, bi), b1 = FloatVector.fromArray(s, pb, bi + l);
            FloatVector a0 = FloatVector.broadcast(s, pa[ai]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(s, pa[ai + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(s, pa[ai + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(s, pa[ai + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(s, pa[ai + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(s, pa[ai + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(s, pa[ai + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(s, pa[ai + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(s, pa[ai + 8]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(s, pa[ai + 9]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(s, pa[ai + 10]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(s, pa[ai + 11]);
            c11_0 = a11.fma(b0, c11_0);
            c11_1 = a11.fma(b1, c11_1);
        }
        if (add) {
            c0_0.add(FloatVector.fromArray(s, c, co)).intoArray(c, co);
            c0_1.add(FloatVector.fromArray(s, c, co + l)).intoArray(c, co + l);
            c1_0.add(FloatVector.fromArray(s, c, co + ldc)).intoArray(c, co + ldc);
            c1_1.add(FloatVector.fromArray(s, c, co + ldc + l)).intoArray(c, co + ldc + l);
            c2_0.add(FloatVector.fromArray(s, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
            c2_1.add(FloatVector.fromArray(s, c, co + 2 * ldc + l)).intoArray(c, co + 2 * ldc + l);
            c3_0.add(FloatVector.fromArray(s, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
            c3_1.add(FloatVector.fromArray(s, c, co + 3 * ldc + l)).intoArray(c, co + 3 * ldc + l);
            c4_0.add(FloatVector.fromArray(s, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
            c4_1.add(FloatVector.fromArray(s, c, co + 4 * ldc + l)).intoArray(c, co + 4 * ldc + l);
            c5_0.add(FloatVector.fromArray(s, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
            c5_1.add(FloatVector.fromArray(s, c, co + 5 * ldc + l)).intoArray(c, co + 5 * ldc + l);
            c6_0.add(FloatVector.fromArray(s, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
            c6_1.add(FloatVector.fromArray(s, c, co + 6 * ldc + l)).intoArray(c, co + 6 * ldc + l);
            c7_0.add(FloatVector.fromArray(s, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
            c7_1.add(FloatVector.fromArray(s, c, co + 7 * ldc + l)).intoArray(c, co + 7 * ldc + l);
            c8_0.add(FloatVector.fromArray(s, c, co + 8 * ldc)).intoArray(c, co + 8 * ldc);
            c8_1.add(FloatVector.fromArray(s, c, co + 8 * ldc + l)).intoArray(c, co + 8 * ldc + l);
            c9_0.add(FloatVector.fromArray(s, c, co + 9 * ldc)).intoArray(c, co + 9 * ldc);
            c9_1.add(FloatVector.fromArray(s, c, co + 9 * ldc + l)).intoArray(c, co + 9 * ldc + l);
            c10_0.add(FloatVector.fromArray(s, c, co + 10 * ldc)).intoArray(c, co + 10 * ldc);
            c10_1.add(FloatVector.fromArray(s, c, co + 10 * ldc + l)).intoArray(c, co + 10 * ldc + l);
            c11_0.add(FloatVector.fromArray(s, c, co + 11 * ldc)).intoArray(c, co + 11 * ldc);
            c11_1.add(FloatVector.fromArray(s, c, co + 11 * ldc + l)).intoArray(c, co + 11 * ldc + l);
        } else {
            c0_0.intoArray(c, co);
            c0_1.intoArray(c, co + l);
            c1_0.intoArray(c, co + ldc);
            c1_1.intoArray(c, co + ldc + l);
            c2_0.intoArray(c, co + 2 * ldc);
            c2_1.intoArray(c, co + 2 * ldc + l);
            c3_0.intoArray(c, co + 3 * ldc);
            c3_1.intoArray(c, co + 3 * ldc + l);
            c4_0.intoArray(c, co + 4 * ldc);
            c4_1.intoArray(c, co + 4 * ldc + l);
            c5_0.intoArray(c, co + 5 * ldc);
            c5_1.intoArray(c, co + 5 * ldc + l);
            c6_0.intoArray(c, co + 6 * ldc);
            c6_1.intoArray(c, co + 6 * ldc + l);
            c7_0.intoArray(c, co + 7 * ldc);
            c7_1.intoArray(c, co + 7 * ldc + l);
            c8_0.intoArray(c, co + 8 * ldc);
            c8_1.intoArray(c, co + 8 * ldc + l);
            c9_0.intoArray(c, co + 9 * ldc);
            c9_1.intoArray(c, co + 9 * ldc + l);
            c10_0.intoArray(c, co + 10 * ldc);
            c10_1.intoArray(c, co + 10 * ldc + l);
            c11_0.intoArray(c, co + 11 * ldc);
            c11_1.intoArray(c, co + 11 * ldc + l);
        }
    }
}
