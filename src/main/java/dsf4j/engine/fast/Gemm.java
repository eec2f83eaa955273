package dsf4j.engine.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM, BLIS style: C[m×n] (+)= op(A)[m×k] · op(B)[k×n], row-major, with op = identity
 * or transpose. With PyTorch's [out, in] weights: Y = X·Wᵀ is {@link #nt}, dX = dY·W is {@link #nn},
 * dW += dYᵀ·X is {@link #tn}.
 *
 * <p>The k dimension is cut into blocks of KC; for each block, A is packed into MR×KC panels and B into
 * KC×NR panels (zero-padded at the edges), and an MR×NR micro-kernel ({@link MicroKernels}) keeps its
 * accumulators in registers and adds them to C. MR, NR, KC, MC and NC are a {@link GemmBlocking}: by
 * default the one chosen for this machine ({@link GemmChoice}: the override, the tuned file, or the
 * cache model).
 *
 * <p>Parallel over blocks of output tiles. Every output element is computed by one task, over the
 * k-blocks in increasing order, with the same FMA chain (edge tiles are zero-padded, the tile grid
 * is fixed at multiples of MR and NR), so results are bitwise identical for any thread count, and for
 * any blocking with the same KC. A long product (k ≥ {@link #SPLIT_DEPTH_BLOCKS} KC blocks, C within
 * {@link #PARTIAL_FLOATS}) is cut in two halves of its depth at a multiple of KC, whatever the thread
 * count: the first half sums into C as above, the second into a scratch C that is then added to C, row
 * by row. The same bits at 1 thread and at 8.
 *
 * <p>A B that many products share (a recurrent weight, once per time step) can be packed once
 * ({@link #pack}) and passed as a {@link PackedB}: the same bits, without packing it in every call.
 *
 * <p>One instance per engine: it owns per-worker packing buffers ({@link GemmBlocking#scratchFloats()}
 * floats each; no allocation per call) and is not re-entrant.
 */
public final class Gemm {

    private final Parallel parallel;
    private final GemmBlocking blocking;
    private final int mr, nr, kc, mcTiles, ncTiles;
    private final float[][] packA, packB, tile;
    /**
     * Long products are split in two halves of their depth (one task each per tile group) when k is at
     * least this many KC blocks. At 2 threads each worker then packs half of A and half of B, where a
     * split of the columns had both pack all of A (or of the rows, all of B): on a Zen 5 (2026-12-02,
     * in one JVM, alternated, 2 threads) 256 × 8192 × 768 went +13 to +15% (NN, NT, TN) and the step's
     * 768 × 8192 × 256 TN (dW_ih, dW_hh) +7%; at 1 thread, where nothing was packed twice, the pass that
     * adds the halves costs them 1–2%.
     */
    static final int SPLIT_DEPTH_BLOCKS = 16;
    /**
     * The second half's C, [m·n] at most this many floats (1 MiB). Larger products are not split: the
     * head's dz = dlogits·W (1,676 × 10,000 × 256) went 6% slower split, as each worker's C then no longer
     * fit its L2 (its rows were split before, and they keep being).
     */
    static final int PARTIAL_FLOATS = 1 << 18;
    private final float[] partial = new float[PARTIAL_FLOATS];
    private final Parallel.Body addPartial = this::addPartialRows;
    // What each worker's packA holds: rows [row, row+rows) of op(A) for the depth blocks [from, to) of
    // call number packedCall (-1: nothing a later task may reuse), block p0 at (p0 − from)/KC · ⌈rows⌉_MR · KC.
    // A worker whose next task has the same rows skips packing them again (tasks that split a product's
    // columns share its rows), for every depth block it kept.
    private final long[] packedCall;
    private final int[] packedRow, packedRows, packedFrom, packedTo;
    private long calls;
    /** 4-byte words of that record per worker (a long and four ints), for the memory estimate. */
    private static final int PACKED_RECORD_WORDS = 2 + 4;
    private final Parallel.Body body = this::block;
    private java.util.function.Consumer<Shape> recorder;

    // The current call, read by the tasks.
    private boolean accumulate, transA, transB;
    private int m, n, k, lda, ldb, ldc, aOff, bOff, cOff;
    private float[] a, b, c;
    private PackedB packed;     // B of this call when it was packed beforehand (b is null then)
    private int tilesPerBlockM, tilesPerBlockN, blocksN;
    private int groups, half;   // tile groups per depth half, and where the second half starts (k when the product is not split)

    /** A GEMM with this machine's blocking ({@link GemmChoice#current()}). */
    public Gemm(Parallel parallel) {
        this(parallel, GemmChoice.current().blocking());
    }

    /** A GEMM with the given blocking, whose lanes must be this JVM's vector width. */
    public Gemm(Parallel parallel, GemmBlocking blocking) {
        if (blocking.lanes() != Simd.L) {
            throw new IllegalArgumentException("blocking " + blocking + " is for vectors of " + blocking.lanes() + " floats, this JVM's hold " + Simd.L + " floats");
        }
        this.parallel = parallel;
        this.blocking = blocking;
        this.mr = blocking.mr();
        this.nr = blocking.nr();
        this.kc = blocking.kc();
        this.mcTiles = blocking.mc() / mr;
        this.ncTiles = blocking.nc() / nr;
        int w = parallel.threads();
        packA = new float[w][mcTiles * mr * kc];
        packB = new float[w][ncTiles * nr * kc];
        tile = new float[w][mr * nr];
        packedCall = new long[w];
        java.util.Arrays.fill(packedCall, -1);
        packedRow = new int[w];
        packedRows = new int[w];
        packedFrom = new int[w];
        packedTo = new int[w];
    }

    /** Floats of a {@link PackedB} holding op(B)[k×n], with this machine's blocking (n rounded up to NR). */
    static int packedFloats(int k, int n) {
        int nr = GemmChoice.current().blocking().nr();
        return k * roundUp(n, nr);
    }

    /** 4-byte words per worker at most, with this machine's blocking: packing and tile scratch, and the record of what its packA holds (a long and three ints). */
    static long scratchFloats() {
        return GemmChoice.current().blocking().scratchFloats() + PACKED_RECORD_WORDS;
    }

    /** Floats an instance holds besides its workers' scratch: the second half's C of a split product. */
    static long sharedScratchFloats() {
        return PARTIAL_FLOATS;
    }

    public Parallel parallel() {
        return parallel;
    }

    /** One call's shape: C[m×n] (+)= op(A)[m×k]·op(B)[k×n]; {@code packedB}: B was packed beforehand ({@link PackedB}). */
    public record Shape(boolean transA, boolean transB, int m, int n, int k, boolean accumulate, boolean packedB) {
        public Shape(boolean transA, boolean transB, int m, int n, int k, boolean accumulate) {
            this(transA, transB, m, n, k, accumulate, false);
        }
    }

    /** Hands the shape of every following call to {@code recorder} (null: stop); for the GEMM tuner, which replays a step's products. */
    public void record(java.util.function.Consumer<Shape> recorder) {
        this.recorder = recorder;
    }

    public GemmBlocking blocking() {
        return blocking;
    }

    /**
     * op(B)[k×n] packed once for products that reuse it (a recurrent weight at every step of a sequence):
     * the panels {@link #packB} writes, one KC block after the other, block p0 at p0·n' (n' = n rounded up
     * to NR), its panel of columns j at p0·n' + j·kb. Reused between calls; only {@link #pack} writes it.
     */
    public static final class PackedB {
        private float[] data;
        private int k, n, kc, nr;

        /** Room for {@code floats} floats ({@link #packedFloats}); grown by {@link #pack} when a product needs more. */
        public PackedB(int floats) {
            data = new float[floats];
        }
    }

    /**
     * Packs op(B)[k×n] (op(B)[p][j] = transB ? b[bOff + j·ldb + p] : b[bOff + p·ldb + j]) into {@code into},
     * growing its array if needed, for {@link #multiply(boolean, boolean, int, float[], int, int, PackedB, float[], int, int)}.
     * Only {@code into} is modified; it is returned.
     */
    public PackedB pack(boolean transB, int k, int n, float[] b, int bOff, int ldb, PackedB into) {
        int padded = roundUp(n, nr);
        if (into.data.length < (long) k * padded) into.data = new float[k * padded];
        into.k = k; into.n = n; into.kc = kc; into.nr = nr;
        this.transB = transB;
        this.b = b; this.bOff = bOff; this.ldb = ldb;
        for (int p0 = 0; p0 < k; p0 += kc) packB(p0, Math.min(kc, k - p0), 0, n, into.data, p0 * padded);
        this.b = null;
        return into;
    }

    /**
     * C[m×n] (+)= op(A)[m×k] · B[k×n] with B packed by {@link #pack} of this instance: the same bits as
     * {@link #multiply} with B unpacked, without packing B again. C modified.
     */
    public void multiply(boolean accumulate, boolean transA, int m, float[] a, int aOff, int lda, PackedB b, float[] c, int cOff, int ldc) {
        if (b.kc != kc || b.nr != nr) throw new IllegalArgumentException("B was packed by a GEMM with another blocking (kc=" + b.kc + ", NR=" + b.nr + ")");
        packed = b;
        try {
            multiply(accumulate, transA, true, m, b.n, b.k, a, aOff, lda, null, 0, 0, c, cOff, ldc);
        } finally {
            packed = null;
        }
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
        if (recorder != null) recorder.accept(new Shape(transA, transB, m, n, k, accumulate, packed != null));
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
        calls++;
        int tilesM = (m + mr - 1) / mr, tilesN = (n + nr - 1) / nr;
        // A task is a group of rows × a group of columns: each MC × KC panel of A it packs serves all
        // its columns, each KC × NC block of B one panel of A. Groups are split until every worker has
        // work (only the grouping of tiles changes with the thread count, never the arithmetic).
        int bn = tilesN, gm = tilesM;
        // Two depth blocks or more: each task packs its rows of A (or its columns of B) once per k-block,
        // which no other task can reuse, so one task per worker. On a Zen 5 at 2 threads (JMH, alternated
        // twice) 1 task per worker against 2 gave 256x8192x768 NN +6/+7%, TN +4/+5%, 768x8192x256 NN +15/+7%,
        // TN +5/+19%; the PTB step did not change beyond its noise. The line was at 4 blocks until 1024³ at
        // 256 bits (KC 384: 2⅔ blocks) showed 4 tasks a worker packing B four times over: 1 task a worker
        // gave it +10 to +12% at 2 threads (NN, NT, TN), +3 to +5% at 128 bits, the step's dx (8192x768x256,
        // 3 blocks at 512 bits) 0.99–1.01 (in one JVM, alternated). With one block, 4 tasks a worker stay:
        // 1 gave 8192x256x768 NN 0.954. A product split in two halves of its depth (SPLIT_DEPTH_BLOCKS) has
        // twice the tasks for the same groups.
        boolean split = k >= SPLIT_DEPTH_BLOCKS * kc && (long) m * n <= PARTIAL_FLOATS;
        half = split ? roundUp(ceilDiv(k, 2), kc) : k;
        int halves = split ? 2 : 1;
        int wanted = parallel.threads() == 1 ? 1 : ceilDiv((k >= 2 * kc ? 1 : 4) * parallel.threads(), halves);
        while (ceilDiv(tilesM, gm) * ceilDiv(tilesN, bn) < wanted && (gm > 1 || bn > 1)) {
            // B packed beforehand and no larger than one L2 block: splitting rows costs nothing, splitting
            // columns packs A again.
            boolean smallPackedB = packed != null && (long) k * n <= (long) kc * ncTiles * nr;
            boolean splitRows = smallPackedB || gm >= 2 * mcTiles || bn == 1 || gm * mr >= bn * nr;
            if (gm > 1 && splitRows) gm = (gm + 1) / 2;
            else bn = (bn + 1) / 2;
        }
        tilesPerBlockM = gm;
        tilesPerBlockN = bn;
        blocksN = ceilDiv(tilesN, bn);
        groups = ceilDiv(tilesM, gm) * blocksN;
        parallel.forEach(groups * halves, body);
        if (split) parallel.forEach(ceilDiv(m, PARTIAL_ROWS_PER_TASK), addPartial);
        this.a = this.b = this.c = null;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** n rounded up to a multiple of {@code multiple} (a packed B's width: whole NR panels). */
    private static int roundUp(int n, int multiple) {
        return ceilDiv(n, multiple) * multiple;
    }

    private static final int PARTIAL_ROWS_PER_TASK = 64;

    /** C[i, ·] += the second half's C[i, ·] for rows [64·task, 64·task + 64): the split product's last step. */
    private void addPartialRows(int task, int worker) {
        for (int i = task * PARTIAL_ROWS_PER_TASK, end = Math.min(m, i + PARTIAL_ROWS_PER_TASK); i < end; i++) {
            VectorMath.addInPlace(c, cOff + i * ldc, partial, i * n, n);
        }
    }

    /**
     * One task: rows [i0, i0+mg) × columns [j0, j0+ng) of C, over the depth blocks of its half (all of
     * them when the product is not split) in order: the first half into C, the second into the
     * partial C [m×n] (overwritten; added to C after all tasks). BLIS's loop order
     * (with A and B in each other's roles, see {@link GemmModel}): an MC × KC panel of A is packed once
     * (it may live in L3) and serves every KC × NC block of B packed after it (L2); in each block, an
     * MR × KC micro-panel of A stays in L1 while B's KC × NR micro-panels stream past it, so the tiles of
     * C are visited along its rows (each row a sequential stream the prefetchers follow).
     */
    private void block(int task, int worker) {
        boolean second = task >= groups;
        int group = task % groups, from = second ? half : 0, to = second ? k : half;
        float[] out = second ? partial : c;            // where the sums go: element (i, j) at out[base + i·ld + j]
        int base = second ? 0 : cOff, ld = second ? n : ldc;
        int i0 = (group / blocksN) * tilesPerBlockM * mr, j0 = (group % blocksN) * tilesPerBlockN * nr;
        int mg = Math.min(tilesPerBlockM * mr, m - i0), ng = Math.min(tilesPerBlockN * nr, n - j0);
        float[] pa = packA[worker], pb = packed != null ? packed.data : packB[worker], t = tile[worker];
        for (int p0 = from; p0 < to; p0 += kc) {
            int kb = Math.min(kc, to - p0);
            boolean add = (accumulate && !second) || p0 > from;    // the half's first block: C = sums (= 0 + sums), or C += sums; then += each next
            if (ng <= ncTiles * nr) {
                panelByPanel(worker, p0, kb, add, i0, mg, j0, ng, pa, pb, blockOfB(p0, kb, j0, ng, pb), t, out, base, ld);
                continue;
            }
            for (int ic = i0; ic < i0 + mg; ic += mcTiles * mr) {
                int mc = Math.min(mcTiles * mr, i0 + mg - ic);
                int at = 0;
                if (holds(worker, ic, mc, p0, kb)) at = heldAt(worker, p0);
                else {
                    packA(p0, kb, ic, mc, pa, 0);
                    held(worker, ic, mc, p0, kb);
                }
                for (int jc = j0; jc < j0 + ng; jc += ncTiles * nr) {
                    int nc = Math.min(ncTiles * nr, j0 + ng - jc);
                    int bo = blockOfB(p0, kb, jc, nc, pb);      // after A, so that it is B's block the L2 holds
                    macroKernel(kb, add, ic, mc, jc, nc, pa, at, pb, bo, t, out, base, ld);
                }
            }
        }
    }

    /** B's block [p0, p0+kb) × [j0, j0+nc) packed: where it starts in the packed-beforehand B, or packed now into pb (at 0). */
    private int blockOfB(int p0, int kb, int j0, int nc, float[] pb) {
        if (packed != null) return p0 * roundUp(n, nr) + j0 * kb;
        packB(p0, kb, j0, nc, pb, 0);
        return 0;
    }

    /** Whether worker's packA holds rows [row, row+rows) × depths [p0, p0+kb) of op(A), packed in this call (at {@link #heldAt}). */
    private boolean holds(int worker, int row, int rows, int p0, int kb) {
        return sameRows(worker, row, rows) && packedFrom[worker] <= p0 && p0 + kb <= packedTo[worker];
    }

    private boolean sameRows(int worker, int row, int rows) {
        return packedCall[worker] == calls && packedRow[worker] == row && packedRows[worker] == rows;
    }

    /** Where the held depth block p0 starts in worker's packA. */
    private int heldAt(int worker, int p0) {
        return (p0 - packedFrom[worker]) / kc * roundUp(packedRows[worker], mr) * kc;
    }

    /** Records that worker's packA now holds rows [row, row+rows) × depths [p0, p0+kb), alone, from its start ({@link #holds}). */
    private void held(int worker, int row, int rows, int p0, int kb) {
        packedCall[worker] = calls;
        packedRow[worker] = row;
        packedRows[worker] = rows;
        packedFrom[worker] = p0;
        packedTo[worker] = p0 + kb;
    }

    /**
     * Rows [i0, i0+mg) × columns [j0, j0+ng) of the depth block [p0, p0+kb) when B's block is one (packed
     * in pb from pbOff): each micro-panel of A serves only the row of tiles after it, so it is packed just
     * before them, into L1 (an MC × KC panel of A packed first would go out to L3 and come back). When the
     * rows' block is small enough to stay in L2 beside B's (a quarter of a KC × NC block), each micro-panel
     * keeps its own place, and the worker's next task on the same rows (another group of columns) reads
     * them instead of packing again: for 128 × 256 × 768 at 2 threads, A was packed four times per worker.
     * With several depth blocks (k > KC) each is kept after the one before while they fit, so that a task
     * starting again at depth 0 finds them all (with Zen 4's KC 160 and k 256 it packed all of A each time).
     */
    private void panelByPanel(int worker, int p0, int kb, boolean add, int i0, int mg, int j0, int ng, float[] pa, float[] pb, int pbOff, float[] t, float[] out, int base, int ld) {
        long block = (long) roundUp(mg, mr) * kc, room = Math.min((long) kc * ncTiles * nr / 4, pa.length);
        boolean have = holds(worker, i0, mg, p0, kb), keep = have, after = false;
        int at = 0;
        if (have) at = heldAt(worker, p0);
        else if (sameRows(worker, i0, mg) && packedTo[worker] == p0 && heldAt(worker, p0) + block <= room) {
            at = heldAt(worker, p0);    // the next depth block of the rows held: kept after them
            keep = after = true;
        } else keep = block <= room;
        for (int ir = i0, off = at; ir < i0 + mg; ir += mr, off += keep ? mr * kb : 0) {
            int rows = Math.min(mr, i0 + mg - ir);
            if (!have) packA(p0, kb, ir, rows, pa, off);
            macroKernel(kb, add, ir, rows, j0, ng, pa, off, pb, pbOff, t, out, base, ld);
        }
        if (after) packedTo[worker] = p0 + kb;
        else if (keep && !have) held(worker, i0, mg, p0, kb);
        else if (!keep) packedCall[worker] = -1;
    }

    /**
     * The MR × NR tiles [ic … ic+mc, jc … jc+nc) from packed A (pa from paOff) and packed B (pb from pbOff),
     * one depth block of kb, into cc (element (i, j) at cc[base + i·ld + j]: C, or a split product's partial C).
     */
    private void macroKernel(int kb, boolean add, int ic, int mc, int jc, int nc, float[] pa, int paOff, float[] pb, int pbOff, float[] t,
                             float[] cc, int base, int ld) {
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir);
            for (int jr = 0; jr < nc; jr += nr) {
                int cols = Math.min(nr, nc - jr), co = base + (ic + ir) * ld + jc + jr;
                if (Simd.SCALAR) {
                    MicroKernels.scalarTile(mr, nr, kb, pa, paOff + ir * kb, pb, pbOff + jr * kb, t);
                    putTile(t, nr, cc, co, ld, rows, cols, add);
                } else if (rows == mr && cols == nr) {
                    MicroKernels.tile(mr, kb, pa, paOff + ir * kb, pb, pbOff + jr * kb, cc, co, ld, add);
                } else {    // an edge tile: the sums into a scratch tile, then its part into C
                    MicroKernels.tile(mr, kb, pa, paOff + ir * kb, pb, pbOff + jr * kb, t, 0, nr, false);
                    putTile(t, nr, cc, co, ld, rows, cols, add);
                }
            }
        }
    }

    /**
     * Packs op(A)[i0 … i0+mc, p0 … p0+kc] into MR-row panels: dst[dstOff + panel·MR·kc + p·MR + r], zero rows
     * past m. Rows are copied eight at a time ({@link #transpose8}, where vectors hold 8 floats), then four,
     * two, one, with the copies written out: a loop over MR's rows per p ran at 1–2.5 ns per float, the
     * unrolled groups at about 0.45.
     */
    private void packA(int p0, int kc, int i0, int mc, float[] dst, int dstOff) {
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir), base = dstOff + ir * kc;
            if (transA) packPanelOfAt(p0 * lda + i0 + ir, kc, rows, dst, base);
            else packPanelOfA((i0 + ir) * lda + p0, kc, rows, dst, base);
            for (int r = rows; r < mr; r++) for (int p = 0; p < kc; p++) dst[base + r + p * mr] = 0f;
        }
    }

    /** op(A) = A: row r of the panel is source row r, read sequentially, written with stride MR. */
    private void packPanelOfA(int src, int kc, int rows, float[] dst, int base) {
        int r = 0, s = aOff + src;
        for (; OCTETS && r + 8 <= rows; r += 8) {
            int p = transpose8(a, s + r * lda, lda, kc, dst, base + r, mr);
            copyTail(a, s + r * lda, lda, p, kc, dst, base + r, mr, 8);
        }
        for (; r + 4 <= rows; r += 4) {
            int p = Simd.SCALAR ? 0 : transpose4(a, s + r * lda, lda, kc, dst, base + r, mr);
            for (int o = base + r + p * mr, sp = s + r * lda + p; p < kc; p++, o += mr, sp++) {
                dst[o] = a[sp];
                dst[o + 1] = a[sp + lda];
                dst[o + 2] = a[sp + 2 * lda];
                dst[o + 3] = a[sp + 3 * lda];
            }
        }
        for (; r + 2 <= rows; r += 2) {
            for (int p = 0, o = base + r, sp = s + r * lda; p < kc; p++, o += mr, sp++) {
                dst[o] = a[sp];
                dst[o + 1] = a[sp + lda];
            }
        }
        for (; r < rows; r++) {
            for (int p = 0, o = base + r, sp = s + r * lda; p < kc; p++, o += mr, sp++) dst[o] = a[sp];
        }
    }

    // The four-row transpose's lane choices, as index vectors for v.selectFrom(x, y): index i < 4 takes
    // lane i of x, i ≥ 4 lane i − 4 of y. On int lanes the two-vector selectFrom compiles to one vpermi2d
    // on AVX-512 (rearrange(shuffle, y), used before, to two vpermilps and a blend; a float index vector is
    // converted to int inside the loop at every call). The floats pass through as their bits.
    private static final VectorSpecies<Float> QUAD = FloatVector.SPECIES_128;
    private static final IntVector LOW_PAIRS = quad(0, 4, 1, 5), HIGH_PAIRS = quad(2, 6, 3, 7),
            LOW_HALVES = quad(0, 1, 4, 5), HIGH_HALVES = quad(2, 3, 6, 7);

    private static IntVector quad(int... lanes) {
        return IntVector.fromArray(IntVector.SPECIES_128, lanes, 0);
    }

    private static IntVector row(float[] x, int offset) {
        return FloatVector.fromArray(QUAD, x, offset).reinterpretAsInts();
    }

    /**
     * dst[o + p·stride + i] = x[s + i·ld + p] for the four rows i &lt; 4 and p &lt; kc rounded down to 4, by
     * 4 × 4 blocks: four 128-bit loads (one per row), the classic unpack transpose, four 128-bit stores (one
     * per depth) instead of 16 scalar loads and stores. Returns the depths done; the caller copies the rest.
     * Packs A's panels (NN: stride MR) and Bᵀ's (NT: stride NR). On Zen 5 it made the NN GEMM 6–17% faster.
     */
    private static int transpose4(float[] x, int s, int ld, int kc, float[] dst, int o, int stride) {
        int p = 0;
        for (; p + 4 <= kc; p += 4, s += 4, o += 4 * stride) {
            IntVector r0 = row(x, s), r1 = row(x, s + ld), r2 = row(x, s + 2 * ld), r3 = row(x, s + 3 * ld);
            IntVector lo01 = LOW_PAIRS.selectFrom(r0, r1), hi01 = HIGH_PAIRS.selectFrom(r0, r1);    // a0 b0 a1 b1 | a2 b2 a3 b3
            IntVector lo23 = LOW_PAIRS.selectFrom(r2, r3), hi23 = HIGH_PAIRS.selectFrom(r2, r3);    // c0 d0 c1 d1 | c2 d2 c3 d3
            LOW_HALVES.selectFrom(lo01, lo23).reinterpretAsFloats().intoArray(dst, o);              // a0 b0 c0 d0
            HIGH_HALVES.selectFrom(lo01, lo23).reinterpretAsFloats().intoArray(dst, o + stride);    // a1 b1 c1 d1
            LOW_HALVES.selectFrom(hi01, hi23).reinterpretAsFloats().intoArray(dst, o + 2 * stride);
            HIGH_HALVES.selectFrom(hi01, hi23).reinterpretAsFloats().intoArray(dst, o + 3 * stride);
        }
        return p;
    }

    /**
     * Eight rows at a time where vectors hold at least 8 floats: {@link #transpose8}. At 128 bits (NEON, or
     * forced) a 256-bit species would not be the machine's, so only the four-row transpose is used there.
     */
    private static final boolean OCTETS = !Simd.SCALAR && Simd.L >= 8;
    private static final VectorSpecies<Integer> OCTET = IntVector.SPECIES_256;
    // zip(x, y) of the low halves (x0 y0 x1 y1 x2 y2 x3 y3) and of the high halves (x4 y4 … x7 y7), as index
    // vectors for selectFrom (i < 8: lane i of x, i ≥ 8: lane i − 8 of y): one vpermi2d each on AVX-512.
    private static final IntVector ZIP_LOW = IntVector.fromArray(OCTET, new int[] {0, 8, 1, 9, 2, 10, 3, 11}, 0),
            ZIP_HIGH = IntVector.fromArray(OCTET, new int[] {4, 12, 5, 13, 6, 14, 7, 15}, 0);

    private static IntVector octet(float[] x, int offset) {
        return FloatVector.fromArray(FloatVector.SPECIES_256, x, offset).reinterpretAsInts();
    }

    /**
     * dst[o + p·stride + i] = x[s + i·ld + p] for the eight rows i &lt; 8 and p &lt; kc rounded down to 8, by
     * 8 × 8 blocks: eight 256-bit loads, three rounds of zips (row i and row i + 4 → rows 2i and 2i + 1;
     * after log₂ 8 rounds row i holds column i), eight 256-bit stores. 24 permutes per 64 floats, where
     * {@link #transpose4} takes 8 per 16. Returns the depths done.
     */
    private static int transpose8(float[] x, int s, int ld, int kc, float[] dst, int o, int stride) {
        int p = 0;
        for (; p + 8 <= kc; p += 8, s += 8, o += 8 * stride) {
            IntVector r0 = octet(x, s), r1 = octet(x, s + ld), r2 = octet(x, s + 2 * ld), r3 = octet(x, s + 3 * ld);
            IntVector r4 = octet(x, s + 4 * ld), r5 = octet(x, s + 5 * ld), r6 = octet(x, s + 6 * ld), r7 = octet(x, s + 7 * ld);
            IntVector a0 = ZIP_LOW.selectFrom(r0, r4), a1 = ZIP_HIGH.selectFrom(r0, r4), a2 = ZIP_LOW.selectFrom(r1, r5), a3 = ZIP_HIGH.selectFrom(r1, r5);
            IntVector a4 = ZIP_LOW.selectFrom(r2, r6), a5 = ZIP_HIGH.selectFrom(r2, r6), a6 = ZIP_LOW.selectFrom(r3, r7), a7 = ZIP_HIGH.selectFrom(r3, r7);
            IntVector b0 = ZIP_LOW.selectFrom(a0, a4), b1 = ZIP_HIGH.selectFrom(a0, a4), b2 = ZIP_LOW.selectFrom(a1, a5), b3 = ZIP_HIGH.selectFrom(a1, a5);
            IntVector b4 = ZIP_LOW.selectFrom(a2, a6), b5 = ZIP_HIGH.selectFrom(a2, a6), b6 = ZIP_LOW.selectFrom(a3, a7), b7 = ZIP_HIGH.selectFrom(a3, a7);
            ZIP_LOW.selectFrom(b0, b4).reinterpretAsFloats().intoArray(dst, o);
            ZIP_HIGH.selectFrom(b0, b4).reinterpretAsFloats().intoArray(dst, o + stride);
            ZIP_LOW.selectFrom(b1, b5).reinterpretAsFloats().intoArray(dst, o + 2 * stride);
            ZIP_HIGH.selectFrom(b1, b5).reinterpretAsFloats().intoArray(dst, o + 3 * stride);
            ZIP_LOW.selectFrom(b2, b6).reinterpretAsFloats().intoArray(dst, o + 4 * stride);
            ZIP_HIGH.selectFrom(b2, b6).reinterpretAsFloats().intoArray(dst, o + 5 * stride);
            ZIP_LOW.selectFrom(b3, b7).reinterpretAsFloats().intoArray(dst, o + 6 * stride);
            ZIP_HIGH.selectFrom(b3, b7).reinterpretAsFloats().intoArray(dst, o + 7 * stride);
        }
        return p;
    }

    /** dst[o + p·stride + i] = x[s + i·ld + p] for i &lt; rows and the depths [from, kc) a transpose left. */
    private static void copyTail(float[] x, int s, int ld, int from, int kc, float[] dst, int o, int stride, int rows) {
        for (int p = from; p < kc; p++) for (int i = 0; i < rows; i++) dst[o + p * stride + i] = x[s + i * ld + p];
    }

    /**
     * op(A) = Aᵀ: the panel's values at depth p are contiguous in source row p, so each depth is one
     * vector copy (rows ≥ L: whole vectors, the last one overlapping). A panel narrower than a vector
     * (MR 12 in 16 lanes) copies whole vectors anyway, in increasing p: the spare lanes land in depth
     * p + 1's slots, which its own copy then overwrites, and padding rows are zeroed after (packA). The
     * last depth, and any vector that would reach past either array, is copied by scalars.
     */
    private void packPanelOfAt(int src, int kc, int rows, float[] dst, int base) {
        int s = aOff + src, p = 0, l = Simd.L;
        if (!Simd.SCALAR && rows >= l) {
            for (int o = base, sp = s; p < kc; p++, o += mr, sp += lda) {
                for (int r = 0; r + l <= rows; r += l) FloatVector.fromArray(Simd.F, a, sp + r).intoArray(dst, o + r);
                if (rows % l != 0) FloatVector.fromArray(Simd.F, a, sp + rows - l).intoArray(dst, o + rows - l);
            }
        } else if (!Simd.SCALAR) {
            for (int o = base, sp = s; p < kc - 1 && sp + l <= a.length && o + l <= dst.length; p++, o += mr, sp += lda) {
                FloatVector.fromArray(Simd.F, a, sp).intoArray(dst, o);
            }
        }
        for (int o = base + p * mr, sp = s + p * lda; p < kc; p++, o += mr, sp += lda) {
            for (int r = 0; r < rows; r++) dst[o + r] = a[sp + r];
        }
    }

    /** Packs op(B)[p0 … p0+kc, j0 … j0+nc] into NR-column panels: dst[dstOff + panel·NR·kc + p·NR + col], zero past n. */
    private void packB(int p0, int kc, int j0, int nc, float[] dst, int dstOff) {
        for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr), base = dstOff + jr * kc;
            if (transB) {            // column col of the panel is source row j0+jr+col: eight, then four at a time, as in packA
                int col = 0;
                for (; OCTETS && col + 8 <= cols; col += 8) {
                    int sr = bOff + (j0 + jr + col) * ldb + p0, p = transpose8(b, sr, ldb, kc, dst, base + col, nr);
                    copyTail(b, sr, ldb, p, kc, dst, base + col, nr, 8);
                }
                for (; col + 4 <= cols; col += 4) {
                    int s = bOff + (j0 + jr + col) * ldb + p0, p = Simd.SCALAR ? 0 : transpose4(b, s, ldb, kc, dst, base + col, nr);
                    for (int o = base + col + p * nr, sp = s + p; p < kc; p++, o += nr, sp++) {
                        dst[o] = b[sp];
                        dst[o + 1] = b[sp + ldb];
                        dst[o + 2] = b[sp + 2 * ldb];
                        dst[o + 3] = b[sp + 3 * ldb];
                    }
                }
                for (; col < cols; col++) {
                    for (int p = 0, o = base + col, sp = bOff + (j0 + jr + col) * ldb + p0; p < kc; p++, o += nr, sp++) dst[o] = b[sp];
                }
                for (; col < nr; col++) for (int p = 0; p < kc; p++) dst[base + col + p * nr] = 0f;
            } else if (cols == nr && nr == 2 * Simd.L && !Simd.SCALAR) {    // a whole panel row is two vectors
                for (int p = 0, src = bOff + p0 * ldb + j0 + jr, o = base; p < kc; p++, src += ldb, o += nr) {
                    FloatVector.fromArray(Simd.F, b, src).intoArray(dst, o);
                    FloatVector.fromArray(Simd.F, b, src + Simd.L).intoArray(dst, o + Simd.L);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0 + jr, o = base + p * nr;
                    System.arraycopy(b, src, dst, o, cols);
                    for (int col = cols; col < nr; col++) dst[o + col] = 0f;
                }
            }
        }
    }

    /** C tile += tile ({@code add}) or C tile = tile, for the rows &lt; {@code rows} and columns &lt; {@code cols} that exist (edge tiles, scalar mode). */
    private static void putTile(float[] tile, int nr, float[] c, int co, int ldc, int rows, int cols, boolean add) {
        int vb = Simd.bound(cols);
        for (int r = 0; r < rows; r++) {
            int o = co + r * ldc, t = r * nr, j = 0;
            if (!add) {
                System.arraycopy(tile, t, c, o, cols);
                continue;
            }
            for (; j < vb; j += Simd.L) {
                FloatVector.fromArray(Simd.F, tile, t + j).add(FloatVector.fromArray(Simd.F, c, o + j)).intoArray(c, o + j);
            }
            for (; j < cols; j++) c[o + j] += tile[t + j];
        }
    }
}
