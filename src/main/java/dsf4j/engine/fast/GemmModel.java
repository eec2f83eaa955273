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
 *   <li><b>KC</b> (L1). The KC × NR micro-panel of B stays in L1 while MR × KC micro-panels of A stream
 *       through it; with one way left for C: ⌈KC·NR·S⌉₁ + ⌈KC·MR·S⌉₁ ≤ W₁ − 1. KC is the largest
 *       multiple of 8 that satisfies it.</li>
 *   <li><b>MC</b> (L2). The MC × KC block of A fills the L2 ways left after one for C and those of two
 *       B micro-panels (the current and the next): MC·KC·S ≤ (W₂ − 1 − ⌈2·KC·NR·S⌉₂) · C₂/W₂, MC a
 *       multiple of MR.</li>
 *   <li><b>NC</b> (L3). Likewise the KC × NC panel of B in this core's share of the L3 (its size over
 *       the CPUs that share it), less one way and the A block's: KC·NC·S ≤ (W₃ − 1 − ⌈MC·KC·S⌉₃) · C₃/(W₃·sharers),
 *       NC a multiple of NR and at most {@link #NC_CAP}.</li>
 * </ol>
 * Where an inequality has no solution (a tiny or direct-mapped cache) half the cache is used instead.
 *
 * <p>This machine (Intel Xeon, family 6 model 207: 32 registers, 48 KiB 12-way L1d, 2 MiB 16-way L2) at 512
 * bits: 12x2, KC 256 (8 ways of B + 3 of A), MC 1788, NC 4096. A Zen 4 core (32 KiB 8-way L1d, 1 MiB
 * 8-way L2): 12x2, KC 160 (5 + 2 ways), MC 1224, NC 4096; the fixed blocking before this model (6x2,
 * KC 256) filled all of Zen 4's L1d with B's micro-panel alone.
 */
public final class GemmModel {

    private GemmModel() {}

    private static final int S = Float.BYTES;

    /**
     * Upper bound on NC: past 4096 columns a wider panel of B only saves repacking A (done n/NC times),
     * which is then under 2% of the product's memory traffic, and costs a bigger buffer per worker.
     */
    static final int NC_CAP = 4096;

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
        int mc = fixed[2] > 0 ? fixed[2] : mc(cpu.l2(), mr, nr, kc);
        int nc = fixed[3] > 0 ? fixed[3] : nc(cpu.l3(), nr, kc, mc);
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

    /** Step 2: the largest multiple of 8 with ⌈KC·NR·S⌉₁ + ⌈KC·MR·S⌉₁ ≤ W₁ − 1. */
    static int kc(CpuInfo.Cache l1, int mr, int nr) {
        long way = l1.wayBytes();
        int best = 0;
        for (int kc = 8; kc <= GemmBlocking.MAX_KC; kc += 8) {
            if (ways((long) kc * nr * S, way) + ways((long) kc * mr * S, way) > l1.ways() - 1) break;
            best = kc;
        }
        if (best == 0) best = (int) Math.max(8, l1.bytes() / 2 / ((long) (nr + mr) * S) / 8 * 8);
        return Math.min(best, GemmBlocking.MAX_KC);
    }

    /** Step 3: MC·KC·S ≤ (W₂ − 1 − ⌈2·KC·NR·S⌉₂) · way₂, MC a multiple of MR. */
    static int mc(CpuInfo.Cache l2, int mr, int nr, int kc) {
        long way = l2.wayBytes();
        long free = (l2.ways() - 1 - ways(2L * kc * nr * S, way)) * way;
        if (free <= 0) free = l2.bytes() / 2;
        long mc = free / ((long) kc * S) / mr * mr;
        return (int) Math.min(GemmBlocking.MAX_MC / mr * mr, Math.max(mr, mc));
    }

    /** Step 4: KC·NC·S ≤ (W₃ − 1 − ⌈MC·KC·S⌉₃) · way₃ in this core's share, NC a multiple of NR, at most {@link #NC_CAP}. */
    static int nc(CpuInfo.Cache l3, int nr, int kc, int mc) {
        long way = Math.max(1, l3.wayBytes() / l3.sharedBy());
        long free = (l3.ways() - 1 - ways((long) mc * kc * S, way)) * way;
        if (free <= 0) free = l3.bytes() / l3.sharedBy() / 2;
        long nc = free / ((long) kc * S) / nr * nr;
        return (int) Math.min(NC_CAP / nr * nr, Math.max(nr, nc));
    }

    /** Ways that {@code bytes} occupy: ⌈bytes / way⌉. */
    private static long ways(long bytes, long way) {
        return (bytes + way - 1) / way;
    }
}
