package dsf4j.engine.fast;

/**
 * Picks the GEMM's blocking from the CPU's registers and caches, after the analytical model of Low,
 * Igual, Smith and Quintana-Ortí, "Analytical modeling is enough for high-performance BLIS" (ACM TOMS
 * 43(2), 2016). S = 4 bytes (float), L = floats per vector, NR = 2·L; a cache of size C with W ways
 * has ways of C/W bytes, and ⌈x⌉ₗ = ⌈x / way⌉ counts the ways x bytes occupy.
 *
 * <ol>
 *   <li><b>Micro-tile</b> (registers). MR·NR/L accumulators must hide the FMA latency
 *       (MR·2 ≥ latency × FMA pipes, the paper's first bound) and, with the 2 vectors of B and the
 *       broadcast of A, fit the register file: 2·MR + 3 ≤ R. Among the kernels there are
 *       ({@link MicroKernels#ROWS}), the tallest that fits: each B vector loaded then serves MR FMAs.
 *       R = 32: 12 × 2 (BLIS's AVX-512 tile); R = 16 (AVX2): 6 × 2 (BLIS's Haswell tile).</li>
 *   <li><b>KC</b> (L1). The MR × KC micro-panel of A stays in L1 while KC × NR micro-panels of B stream
 *       through it; with one way left for C: ⌈KC·MR·S⌉₁ + ⌈KC·NR·S⌉₁ ≤ W₁ − 1. KC is the largest
 *       multiple of 8 that satisfies it.</li>
 *   <li><b>NC</b> (L2). The KC × NC block of B fills the L2 ways left after one for C and those of two
 *       A micro-panels (the current and the next): KC·NC·S ≤ (W₂ − 1 − ⌈2·KC·MR·S⌉₂) · C₂/W₂, NC a
 *       multiple of NR.</li>
 *   <li><b>MC</b> (L3). Likewise the MC × KC panel of A in this core's share of the L3 (its size over
 *       the CPUs that share it), less one way and the B block's: MC·KC·S ≤ (W₃ − 1 − ⌈KC·NC·S⌉₃) · C₃/(W₃·sharers),
 *       MC a multiple of MR and at most {@link #MC_CAP}.</li>
 * </ol>
 * Where an inequality has no solution (a tiny or direct-mapped cache) half the cache is used instead.
 *
 * <p>This is BLIS's layering with our operands in its roles (BLIS computes Cᵀ = Bᵀ·Aᵀ column-major: our
 * broadcast operand A is its B, whose micro-panel it keeps in L1; our vector operand B is its A, whose
 * MC × KC block it keeps in L2). An Intel Xeon (family 6 model 207: 32 registers, 48 KiB 12-way L1d, 2 MiB
 * 16-way L2) at 512 bits: 12x2, KC 256 (3 ways of A + 8 of B), NC 1792, MC 4092. A Zen 4 core (32 KiB
 * 8-way L1d, 1 MiB 8-way L2): 12x2, KC 160 (2 + 5 ways), NC 1216; BLIS's own Zen 4 choice, in these
 * terms, is MR 12, NR 32, KC 480, NC 512 (its MC), a B block of 960 KiB, also most of that L2. The fixed
 * blocking before this model (6x2, KC 256) filled all of Zen 4's L1d with one 32 KiB panel of B.
 */
public final class GemmModel {

    private GemmModel() {}

    private static final int S = Float.BYTES;

    /**
     * Upper bound on MC: past 4096 rows a taller panel of A only saves repacking B (done m/MC times, a
     * KC × NC copy per 2·MC·KC·NC FLOPs), and costs a bigger buffer per worker.
     */
    static final int MC_CAP = 4096;

    /** The model's blocking for {@code cpu} at {@code lanes} floats per vector. */
    public static GemmBlocking choose(CpuInfo cpu, int lanes) {
        return complete(cpu, lanes, new int[4]);
    }

    /** The MR of the micro-kernels there are (each 2 vectors wide). */
    public static int[] kernelRows() {
        return MicroKernels.ROWS.clone();
    }

    /** The model's blocking with the given fields kept: {@code fixed} = {MR, KC, MC, NC}, 0 where the model chooses. */
    public static GemmBlocking complete(CpuInfo cpu, int lanes, int[] fixed) {
        int nr = 2 * lanes;
        int mr = fixed[0] > 0 ? fixed[0] : microRows(cpu.vectorRegisters(), cpu.fmaInFlight());
        int kc = fixed[1] > 0 ? fixed[1] : kc(cpu.l1d(), mr, nr);
        int nc = fixed[3] > 0 ? fixed[3] : nc(cpu.l2(), mr, nr, kc);
        int mc = fixed[2] > 0 ? fixed[2] : mc(cpu.l3(), mr, kc, nc);
        return new GemmBlocking(mr, 2, lanes, kc, mc, nc);
    }

    /** Step 1: the tallest kernel whose 2·MR accumulators + 3 fit {@code registers} and hide {@code fmaInFlight}. */
    static int microRows(int registers, int fmaInFlight) {
        int best = 0, fits = 0;
        for (int r : MicroKernels.ROWS) {
            if (2 * r + 3 > registers) continue;
            fits = Math.max(fits, r);
            if (2 * r >= fmaInFlight) best = Math.max(best, r);
        }
        if (best > 0) return best;
        return fits > 0 ? fits : MicroKernels.ROWS[0];
    }

    /** Step 2: the largest multiple of 8 with ⌈KC·MR·S⌉₁ + ⌈KC·NR·S⌉₁ ≤ W₁ − 1. */
    static int kc(CpuInfo.Cache l1, int mr, int nr) {
        long way = l1.wayBytes();
        int best = 0;
        for (int kc = 8; kc <= GemmBlocking.MAX_KC; kc += 8) {
            if (ways((long) kc * mr * S, way) + ways((long) kc * nr * S, way) > l1.ways() - 1) break;
            best = kc;
        }
        if (best == 0) best = (int) Math.max(8, l1.bytes() / 2 / ((long) (nr + mr) * S) / 8 * 8);
        return Math.min(best, GemmBlocking.MAX_KC);
    }

    /** Step 3: KC·NC·S ≤ (W₂ − 1 − ⌈2·KC·MR·S⌉₂) · way₂, NC a multiple of NR. */
    static int nc(CpuInfo.Cache l2, int mr, int nr, int kc) {
        long way = l2.wayBytes();
        long free = (l2.ways() - 1 - ways(2L * kc * mr * S, way)) * way;
        if (free <= 0) free = l2.bytes() / 2;
        long nc = free / ((long) kc * S) / nr * nr;
        return (int) Math.min(GemmBlocking.MAX_NC / nr * nr, Math.max(nr, nc));
    }

    /** Step 4: MC·KC·S ≤ (W₃ − 1 − ⌈KC·NC·S⌉₃) · way₃ in this core's share, MC a multiple of MR, at most {@link #MC_CAP}. */
    static int mc(CpuInfo.Cache l3, int mr, int kc, int nc) {
        long way = Math.max(1, l3.wayBytes() / l3.sharedBy());
        long free = (l3.ways() - 1 - ways((long) kc * nc * S, way)) * way;
        if (free <= 0) free = l3.bytes() / l3.sharedBy() / 2;
        long mc = free / ((long) kc * S) / mr * mr;
        return (int) Math.min(MC_CAP / mr * mr, Math.max(mr, mc));
    }

    /** Ways that {@code bytes} occupy: ⌈bytes / way⌉. */
    private static long ways(long bytes, long way) {
        return (bytes + way - 1) / way;
    }
}
