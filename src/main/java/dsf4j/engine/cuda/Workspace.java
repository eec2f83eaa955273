package dsf4j.engine.cuda;

import dsf4j.config.BlockType;
import dsf4j.config.ModelConfig;
import dsf4j.model.ParamLayout;

/**
 * Every device buffer one batch shape (B, T) needs, laid out one after another from a base address
 * (a view: it allocates nothing). The engine keeps one device allocation as large as the largest shape
 * seen and a view of it per shape, so batches of different lengths (sentence buckets) need no new
 * allocation, and the CUDA graph captured for a shape keeps pointing at that shape's buffers.
 * Time-major: row t·B + b; N = T·B. Shapes in floats; per layer l unless said otherwise.
 */
final class Workspace {

    /** Every buffer starts on a 256-byte boundary (cuBLAS and coalescing like it). */
    private static final long ALIGN = 256;

    final int b, steps, n;
    /** Bytes from the base to the end of the last buffer. */
    final long bytes;
    private long next;             // the layout's cursor, a byte address

    final long tokens, targets;    // int [N] each, time-major
    final long[] x;                // L+1 × [N, H]: x[l] enters block l, x[L] leaves the last block
    final long[] states;           // [(T+1)·B, D]: row block 0 is s_{-1} (zero, or a carried state), block t+1 is s_t
    final long gi, gh;             // x·W_ihᵀ + b_ih [N, G·H] and s_{t-1}·W_hhᵀ + b_hh [N, R·H] (CellType's contract):
                                   // read by the forward only (the backward reads the cache), so one pair serves every layer
    final long[] cache;            // the cell's activated gates, [N, cacheBlocks·H]
    final long[] u, ln1;           // transformer: LN1(x) [N, H] and its (mean, rstd) [N, 2]
    final long[] after, mlpIn, ln2; // transformer: x + proj(s) [N, H], LN2 of it [N, H], stats [N, 2]
    final long[] hidden, act;      // transformer: fc1 output [N, 4H] and GELU of it [N, 4H]
    final long z, lnf;             // head input [N, H] (transformer: LN(x[L]); else x[L]) and its stats
    final long logits;             // [N, V]; the backward overwrites it with dL/dlogits
    final long dx;                 // [N, H] dL/dx flowing down
    final long e;                  // [N, D] e_t, turned into δ_t in place
    final long dgi, dgh;           // [N, G·H] (dgh == dgi unless the cell's separateHiddenGradient)
    final long tmp, tmp2;          // [N, H] scratch
    final long d4;                 // transformer: [N, 4H] scratch
    final long sums;               // double [2]: Σ cross-entropy, Σ g² (see loss.cu)
    final long hyper;              // float [Hyper.COUNT], by name (Hyper)

    /** The layout of a (B, T) workspace from {@code base}; base 0 only measures ({@link #bytes(ModelConfig, int, int)}). */
    Workspace(ModelConfig c, int b, int steps, long base) {
        this.b = b;
        this.steps = steps;
        this.n = Math.multiplyExact(b, steps);
        this.next = base;
        int h = c.hidden(), d = c.stateSize(), gates = c.cell().gates * h, layers = c.layers();
        int hiddenGates = c.cell().hiddenGates * h, cacheWidth = c.cell().cacheBlocks * h;
        boolean tf = c.block() == BlockType.TRANSFORMER;
        long nl = n;
        tokens = take(nl);
        targets = take(nl);
        x = new long[layers + 1];
        for (int l = 0; l <= layers; l++) x[l] = take(nl * h);
        states = new long[layers];
        gi = take(nl * gates);
        gh = take(nl * hiddenGates);
        cache = new long[layers];
        u = new long[layers];
        ln1 = new long[layers];
        after = new long[layers];
        mlpIn = new long[layers];
        ln2 = new long[layers];
        hidden = new long[layers];
        act = new long[layers];
        for (int l = 0; l < layers; l++) {
            states[l] = take((nl + b) * d);
            cache[l] = take(nl * cacheWidth);
            if (tf) {
                u[l] = take(nl * h);
                ln1[l] = take(2 * nl);
                after[l] = take(nl * h);
                mlpIn[l] = take(nl * h);
                ln2[l] = take(2 * nl);
                hidden[l] = take(nl * 4 * h);
                act[l] = take(nl * 4 * h);
            }
        }
        z = tf ? take(nl * h) : x[layers];
        lnf = tf ? take(2 * nl) : 0;
        logits = take(nl * c.vocab());
        dx = take(nl * h);
        e = take(nl * d);
        dgi = take(nl * gates);
        dgh = c.cell().separateHiddenGradient ? take(nl * gates) : dgi;
        tmp = take(nl * h);
        tmp2 = take(nl * h);
        d4 = tf ? take(nl * 4 * h) : 0;
        sums = take(4);
        hyper = take(Hyper.COUNT);
        bytes = next - base;
        if (!ParamLayout.hasProjection(c) && d != h) throw new IllegalStateException("a block without projection needs D = H");
    }

    /** The next buffer of {@code floats} 4-byte words. */
    private long take(long floats) {
        long at = next;
        next = (at + 4 * floats + ALIGN - 1) / ALIGN * ALIGN;
        return at;
    }

    /** Bytes a (B, T) workspace takes for this config: to size the allocation, and to say so before allocating. */
    static long bytes(ModelConfig c, int b, int steps) {
        return new Workspace(c, b, steps, 0).bytes;
    }
}
