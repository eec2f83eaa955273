package dsf4j.engine.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM, BLIS style: C[m×n] (+)= op(A)[m×k] · op(B)[k×n], row-major, with op = identity
 * or transpose. With PyTorch's [out, in] weights: Y = X·Wᵀ is {@link #nt}, dX = dY·W is {@link #nn},
 * dW += dYᵀ·X is {@link #tn}.
 *
 * <p>The k dimension is cut into blocks of {@link #KC}; for each block, B is packed into k×NR panels
 * and A into MR×k panels (zero-padded at the edges), and an MR×NR micro-kernel keeps the 6 × 2
 * accumulator vectors in local variables (an array would spill them: 7 GFLOP/s instead of 100).
 * MR = 6, NR = 2 vectors (32 floats at 512 bits; 8 in scalar mode).
 *
 * <p>Parallel over blocks of output tiles. Every output element is computed by one task, over the
 * k-blocks in increasing order, with the same micro-kernel (edge tiles are zero-padded, the tile grid
 * is fixed at multiples of MR and NR), so results are bitwise identical for any thread count.
 *
 * <p>One instance per engine: it owns per-worker packing buffers (no allocation per call) and is not
 * re-entrant.
 */
public final class Gemm {

    /** Rows of the micro-tile. */
    public static final int MR = 6;
    /** Columns of the micro-tile: two vectors. */
    public static final int NR = Simd.SCALAR ? 8 : 2 * Simd.L;
    /** Depth of one packed block. */
    public static final int KC = 256;
    private static final int MC_TILES = 24;            // 144 rows of A per block (≈147 KB packed: L2)
    private static final int NC_TILES = Math.max(1, 512 / NR); // 512 columns of B per block (512 KB)

    private final Parallel parallel;
    private final float[][] packA, packB, tile;
    private final Parallel.Body body = this::block;

    // The current call, read by the tasks.
    private boolean accumulate, transA, transB;
    private int m, n, k, lda, ldb, ldc, aOff, bOff, cOff;
    private float[] a, b, c;
    private int tilesPerBlockM, tilesPerBlockN, blocksN;

    public Gemm(Parallel parallel) {
        this.parallel = parallel;
        int w = parallel.threads();
        packA = new float[w][MC_TILES * MR * KC];
        packB = new float[w][NC_TILES * NR * KC];
        tile = new float[w][MR * NR];
    }

    /** Floats of packing and tile scratch per worker. */
    static long scratchFloats() {
        return (long) MC_TILES * MR * KC + (long) NC_TILES * NR * KC + MR * NR;
    }

    public Parallel parallel() {
        return parallel;
    }

    /** C[m×n] (+)= A[m×k] · B[k×n]; dense row-major, C modified. */
    public void nn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        multiply(accumulate, false, false, m, n, k, a, aOff, k, b, bOff, n, c, cOff, n);
    }

    /** C[m×n] (+)= A[m×k] · B[n×k]ᵀ; dense row-major, C modified. */
    public void nt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        multiply(accumulate, false, true, m, n, k, a, aOff, k, b, bOff, k, c, cOff, n);
    }

    /** C[m×n] (+)= A[k×m]ᵀ · B[k×n]; dense row-major, C modified. */
    public void tn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        multiply(accumulate, true, false, m, n, k, a, aOff, m, b, bOff, n, c, cOff, n);
    }

    /**
     * The general form: C = op(A)·op(B) (accumulate false) or C += op(A)·op(B) (accumulate true), where
     * op(A)[i][p] = transA ? a[aOff + p·lda + i] : a[aOff + i·lda + p], likewise op(B)[p][j] with ldb, and
     * C[i][j] = c[cOff + i·ldc + j]. Only C is modified.
     */
    public void multiply(boolean accumulate, boolean transA, boolean transB, int m, int n, int k,
                         float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        this.accumulate = accumulate;
        this.transA = transA;
        this.transB = transB;
        this.m = m; this.n = n; this.k = k;
        this.a = a; this.aOff = aOff; this.lda = lda;
        this.b = b; this.bOff = bOff; this.ldb = ldb;
        this.c = c; this.cOff = cOff; this.ldc = ldc;
        int tilesM = (m + MR - 1) / MR, tilesN = (n + NR - 1) / NR;
        // A task is a group of row blocks × one column block: its packed B panel is reused down the
        // whole group. Groups are split until every worker has work (only the grouping of tiles
        // changes with the thread count, never the arithmetic).
        int bn = Math.min(tilesN, NC_TILES), gm = tilesM;
        // Long k: each task packs its rows of A once per k-block, so fewer, wider tasks pay less packing.
        int wanted = parallel.threads() == 1 ? 1 : (k >= 4 * KC ? 2 : 4) * parallel.threads();
        while (ceilDiv(tilesM, gm) * ceilDiv(tilesN, bn) < wanted && (gm > 1 || bn > 1)) {
            if (gm > 1 && (gm >= 2 * MC_TILES || bn == 1 || gm * MR >= bn * NR)) gm = (gm + 1) / 2;
            else bn = (bn + 1) / 2;
        }
        tilesPerBlockM = gm;
        tilesPerBlockN = bn;
        blocksN = ceilDiv(tilesN, bn);
        parallel.forEach(ceilDiv(tilesM, gm) * blocksN, body);
        this.a = this.b = this.c = null;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** One task: rows [i0, i0+mg) × columns [j0, j0+nc) of C, all k-blocks in order. */
    private void block(int task, int worker) {
        int i0 = (task / blocksN) * tilesPerBlockM * MR, j0 = (task % blocksN) * tilesPerBlockN * NR;
        int mg = Math.min(tilesPerBlockM * MR, m - i0), nc = Math.min(tilesPerBlockN * NR, n - j0);
        float[] pa = packA[worker], pb = packB[worker], t = tile[worker];
        if (!accumulate) {          // C = 0, then every k-block adds (0 + x = x exactly)
            for (int i = i0; i < i0 + mg; i++) java.util.Arrays.fill(c, cOff + i * ldc + j0, cOff + i * ldc + j0 + nc, 0f);
        }
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            packB(p0, kc, j0, nc, pb);
            for (int ic = i0; ic < i0 + mg; ic += MC_TILES * MR) {
                int mc = Math.min(MC_TILES * MR, i0 + mg - ic);
                packA(p0, kc, ic, mc, pa);
                for (int jr = 0; jr < nc; jr += NR) {
                    int cols = Math.min(NR, nc - jr);
                    for (int ir = 0; ir < mc; ir += MR) {
                        int rows = Math.min(MR, mc - ir);
                        int co = cOff + (ic + ir) * ldc + j0 + jr;
                        if (Simd.SCALAR) scalarKernel(kc, pa, ir * kc, pb, jr * kc, c, co, ldc, rows, cols, t);
                        else vectorKernel(kc, pa, ir * kc, pb, jr * kc, c, co, ldc, rows, cols, t);
                    }
                }
            }
        }
    }

    /** Packs op(A)[i0 … i0+mc, p0 … p0+kc] into MR-row panels: dst[panel·MR·kc + p·MR + r], zero rows past m. */
    private void packA(int p0, int kc, int i0, int mc, float[] dst) {
        if (transA) {              // op(A) = Aᵀ: a panel's MR values at depth p are contiguous in source row p
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir), src = aOff + p0 * lda + i0 + ir;
                // Panel by panel, so the writes are one sequential stream; the source rows' lines stay
                // in L1 from one panel to the next (kc lines).
                for (int p = 0, o = ir * kc; p < kc; p++, o += MR, src += lda) {
                    if (rows == MR) {
                        dst[o] = a[src];
                        dst[o + 1] = a[src + 1];
                        dst[o + 2] = a[src + 2];
                        dst[o + 3] = a[src + 3];
                        dst[o + 4] = a[src + 4];
                        dst[o + 5] = a[src + 5];
                    } else {
                        for (int r = 0; r < rows; r++) dst[o + r] = a[src + r];
                        for (int r = rows; r < MR; r++) dst[o + r] = 0f;
                    }
                }
            }
            return;
        }
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir), base = ir * kc;
            if (rows == MR) {      // a full panel: six read streams, one sequential write stream
                int s0 = aOff + (i0 + ir) * lda + p0;
                for (int p = 0, o = base; p < kc; p++, o += MR) {
                    int sp = s0 + p;
                    dst[o] = a[sp];
                    dst[o + 1] = a[sp + lda];
                    dst[o + 2] = a[sp + 2 * lda];
                    dst[o + 3] = a[sp + 3 * lda];
                    dst[o + 4] = a[sp + 4 * lda];
                    dst[o + 5] = a[sp + 5 * lda];
                }
                continue;
            }
            for (int r = 0; r < rows; r++) {
                int src = aOff + (i0 + ir + r) * lda + p0, o = base + r;
                for (int p = 0; p < kc; p++) dst[o + p * MR] = a[src + p];
            }
            for (int r = rows; r < MR; r++) for (int p = 0; p < kc; p++) dst[base + r + p * MR] = 0f;
        }
    }

    /** Packs op(B)[p0 … p0+kc, j0 … j0+nc] into NR-column panels: dst[panel·NR·kc + p·NR + col], zero past n. */
    private void packB(int p0, int kc, int j0, int nc, float[] dst) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr), base = jr * kc;
            if (transB) {
                for (int col = 0; col < cols; col++) {
                    int src = bOff + (j0 + jr + col) * ldb + p0, o = base + col;
                    for (int p = 0; p < kc; p++) dst[o + p * NR] = b[src + p];
                }
                for (int col = cols; col < NR; col++) for (int p = 0; p < kc; p++) dst[base + col + p * NR] = 0f;
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0 + jr, o = base + p * NR;
                    System.arraycopy(b, src, dst, o, cols);
                    for (int col = cols; col < NR; col++) dst[o + col] = 0f;
                }
            }
        }
    }

    /**
     * The 6 × (2 vectors) micro-kernel: acc = Σ_p pa[p][r] · pb[p][·] over kc, stored to {@code tile},
     * then C tile += acc (only rows &lt; {@code rows}, columns &lt; {@code cols}).
     */
    private static void vectorKernel(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc,
                                     int rows, int cols, float[] tile) {
        VectorSpecies<Float> s = Simd.F;
        int l = Simd.L;
        FloatVector c00 = FloatVector.zero(s), c01 = FloatVector.zero(s);
        FloatVector c10 = FloatVector.zero(s), c11 = FloatVector.zero(s);
        FloatVector c20 = FloatVector.zero(s), c21 = FloatVector.zero(s);
        FloatVector c30 = FloatVector.zero(s), c31 = FloatVector.zero(s);
        FloatVector c40 = FloatVector.zero(s), c41 = FloatVector.zero(s);
        FloatVector c50 = FloatVector.zero(s), c51 = FloatVector.zero(s);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * 2 * l, ai = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(s, pb, bi), b1 = FloatVector.fromArray(s, pb, bi + l);
            FloatVector a0 = FloatVector.broadcast(s, pa[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(s, pa[ai + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(s, pa[ai + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(s, pa[ai + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(s, pa[ai + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(s, pa[ai + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        int nr = 2 * l;
        c00.intoArray(tile, 0); c01.intoArray(tile, l);
        c10.intoArray(tile, nr); c11.intoArray(tile, nr + l);
        c20.intoArray(tile, 2 * nr); c21.intoArray(tile, 2 * nr + l);
        c30.intoArray(tile, 3 * nr); c31.intoArray(tile, 3 * nr + l);
        c40.intoArray(tile, 4 * nr); c41.intoArray(tile, 4 * nr + l);
        c50.intoArray(tile, 5 * nr); c51.intoArray(tile, 5 * nr + l);
        addTile(tile, nr, c, co, ldc, rows, cols);
    }

    /** The same tile product in plain loops (vectorBits=0), accumulating in the same k order. */
    private static void scalarKernel(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc,
                                     int rows, int cols, float[] tile) {
        java.util.Arrays.fill(tile, 0f);
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < MR; r++) {
                float av = pa[ao + p * MR + r];
                for (int j = 0; j < NR; j++) tile[r * NR + j] = Math.fma(av, pb[bo + p * NR + j], tile[r * NR + j]);
            }
        }
        addTile(tile, NR, c, co, ldc, rows, cols);
    }

    /**
     * C tile += tile, kept out of the micro-kernel: C2 compiles the kernel's FMA loop best when the
     * kernel ends with plain stores (a load-add-store of C there made it 4× slower).
     */
    private static void addTile(float[] tile, int nr, float[] c, int co, int ldc, int rows, int cols) {
        int vb = Simd.bound(cols);
        for (int r = 0; r < rows; r++) {
            int o = co + r * ldc, t = r * nr, j = 0;
            for (; j < vb; j += Simd.L) {
                FloatVector.fromArray(Simd.F, tile, t + j).add(FloatVector.fromArray(Simd.F, c, o + j)).intoArray(c, o + j);
            }
            for (; j < cols; j++) c[o + j] += tile[t + j];
        }
    }
}
