package dsf4j.engine.fast;

import java.util.Locale;

/**
 * How {@link Gemm} cuts a product into cache-sized pieces, for row-major C = A·B:
 * <ul>
 *   <li>MR × NR, the micro-tile: MR rows of A (broadcast) times NR = {@code nrVectors}·lanes columns
 *       of B (vectors), kept in registers;</li>
 *   <li>KC, the depth of one packed block: an MR × KC micro-panel of A stays in L1 while KC × NR
 *       micro-panels of B stream past it;</li>
 *   <li>NC, columns of B per packed block (KC × NC, held in L2);</li>
 *   <li>MC, rows of A per packed panel (MC × KC, held in L3).</li>
 * </ul>
 * In BLIS's column-major terms (it computes Cᵀ = Bᵀ·Aᵀ) our MR, NR, NC, MC are its NR, MR, MC, NC.
 * Written as {@code 12x2 kc=256 mc=4092 nc=1792} (MR × NR in vectors); {@link #parse} reads that back.
 * MC is kept a multiple of MR and NC of NR.
 *
 * <p>Only KC changes the arithmetic: each element of C is a sum over k-blocks of KC, each block one FMA
 * chain in increasing p. Blockings with the same KC give bitwise identical results; a different KC
 * rounds differently (within float32 accumulation error).
 *
 * @param lanes floats per vector (4 in scalar mode, whose panels are as wide as 128-bit ones)
 */
public record GemmBlocking(int mr, int nrVectors, int lanes, int kc, int mc, int nc) {

    /** Largest KC, MC and NC accepted (their buffers stay below 64 MiB per worker). */
    static final int MAX_KC = 4096, MAX_MC = 8192, MAX_NC = 16384;

    public GemmBlocking {
        if (java.util.Arrays.stream(MicroKernels.ROWS).noneMatch(r -> r == mr) || nrVectors != 2) {
            throw new IllegalArgumentException("no " + mr + "x" + nrVectors + " micro-kernel: the tiles are "
                    + java.util.Arrays.stream(MicroKernels.ROWS).mapToObj(r -> r + "x2").collect(java.util.stream.Collectors.joining(", ")));
        }
        if (lanes < 1) throw new IllegalArgumentException("lanes " + lanes);
        if (kc < 1 || kc > MAX_KC) throw new IllegalArgumentException("kc=" + kc + " is out of range: use 1 to " + MAX_KC);
        if (mc < 1 || mc > MAX_MC) throw new IllegalArgumentException("mc=" + mc + " is out of range: use 1 to " + MAX_MC);
        if (nc < 1 || nc > MAX_NC) throw new IllegalArgumentException("nc=" + nc + " is out of range: use 1 to " + MAX_NC);
        mc = Math.max(mr, mc / mr * mr);
        int nr = nrVectors * lanes;
        nc = Math.max(nr, nc / nr * nr);
    }

    /** Columns of the micro-tile. */
    public int nr() {
        return nrVectors * lanes;
    }

    /** Floats of packing and tile scratch per worker at most: MC×KC of A, KC×NC of B, one MR×NR tile. */
    public long scratchFloats() {
        return (long) mc * kc + (long) kc * nc + (long) mr * nr();
    }

    /** A copy with a different field; the others kept (and MC, NC re-rounded). */
    public GemmBlocking withMr(int v) {
        return new GemmBlocking(v, nrVectors, lanes, kc, mc, nc);
    }

    public GemmBlocking withKc(int v) {
        return new GemmBlocking(mr, nrVectors, lanes, v, mc, nc);
    }

    public GemmBlocking withMc(int v) {
        return new GemmBlocking(mr, nrVectors, lanes, kc, v, nc);
    }

    public GemmBlocking withNc(int v) {
        return new GemmBlocking(mr, nrVectors, lanes, kc, mc, v);
    }

    /** e.g. "12x2 kc=256 mc=4092 nc=1792". */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%dx%d kc=%d mc=%d nc=%d", mr, nrVectors, kc, mc, nc);
    }

    /** e.g. "12x2 (12 × 32 floats) kc=256 mc=1788 nc=4096". */
    public String describe() {
        return String.format(Locale.ROOT, "%dx%d (%d × %d floats) kc=%d mc=%d nc=%d", mr, nrVectors, mr, nr(), kc, mc, nc);
    }

    /**
     * Reads {@code 12x2 kc=256 mc=4092 nc=1792}, or any part of it (fields separated by spaces or commas,
     * in any order); what is missing comes from {@code complete}, which receives the partial blocking
     * (fields not given are 0) and returns the whole one.
     *
     * @throws IllegalArgumentException naming the bad field and the syntax
     */
    static GemmBlocking parse(String s, int lanes, java.util.function.Function<int[], GemmBlocking> complete) {
        int[] f = new int[4];        // mr, kc, mc, nc; 0 = not given
        for (String part : s.strip().split("[\\s,]+")) {
            if (part.isEmpty()) continue;
            String p = part.toLowerCase(Locale.ROOT);
            try {
                if (p.matches("\\d+x\\d+")) {
                    String[] t = p.split("x");
                    if (Integer.parseInt(t[1]) != 2) throw new IllegalArgumentException("no " + p + " micro-kernel: the tiles are 6x2, 8x2, 12x2");
                    f[0] = Integer.parseInt(t[0]);
                } else if (p.startsWith("kc=")) f[1] = Integer.parseInt(p.substring(3));
                else if (p.startsWith("mc=")) f[2] = Integer.parseInt(p.substring(3));
                else if (p.startsWith("nc=")) f[3] = Integer.parseInt(p.substring(3));
                else throw new IllegalArgumentException("'" + part + "' is not a field");
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + part + "' is not a number");
            }
        }
        for (int v : f) if (v < 0) throw new IllegalArgumentException("'" + s.strip() + "' has a negative field");
        return complete.apply(f);
    }
}
