package dsf4j.engine.cuda;

import dsf4j.config.BlockType;
import dsf4j.config.ModelConfig;
import dsf4j.model.ParamLayout;

import java.util.ArrayList;
import java.util.List;

/**
 * Every device buffer one batch shape (B, T) needs, allocated once and reused by every step of that
 * shape (a captured graph refers to these addresses). Time-major: row t·B + b; N = T·B.
 * Shapes in floats; per layer l unless said otherwise.
 */
final class Workspace implements AutoCloseable {

    final int b, steps, n;
    private final Gpu gpu;
    private final List<Long> owned = new ArrayList<>();

    final long tokens, targets;    // int [N] each, time-major
    final long[] x;                // L+1 × [N, H]: x[l] enters block l, x[L] leaves the last block
    final long[] states;           // [(T+1)·B, D]: row block 0 is s_{-1} (zero, or a carried state), block t+1 is s_t
    final long[] gi, gh;           // [N, G·H]: x·W_ihᵀ and s_{t-1}·W_hhᵀ (no biases)
    final long[] u, ln1;           // transformer: LN1(x) [N, H] and its (mean, rstd) [N, 2]
    final long[] after, mlpIn, ln2; // transformer: x + proj(s) [N, H], LN2 of it [N, H], stats [N, 2]
    final long[] hidden, act;      // transformer: fc1 output [N, 4H] and GELU of it [N, 4H]
    final long z, lnf;             // head input [N, H] (transformer: LN(x[L]); else x[L]) and its stats
    final long logits;             // [N, V]; the backward overwrites it with dL/dlogits
    final long dx;                 // [N, H] dL/dx flowing down
    final long e;                  // [N, D] e_t, turned into δ_t in place
    final long dgi, dgh;           // [N, G·H] (dgh == dgi for RNN and LSTM)
    final long tmp, tmp2;          // [N, H] scratch
    final long d4;                 // transformer: [N, 4H] scratch
    final long loss;               // double: Σ cross-entropy
    final long hyper;              // float[8]: see loss.cu

    Workspace(Gpu gpu, ModelConfig c, int b, int steps) {
        this.gpu = gpu;
        this.b = b;
        this.steps = steps;
        this.n = Math.multiplyExact(b, steps);
        int h = c.hidden(), d = c.stateSize(), gh3 = c.cell().gates * h, layers = c.layers();
        boolean tf = c.block() == BlockType.TRANSFORMER;
        long nl = n;
        tokens = own(nl);
        targets = own(nl);
        x = new long[layers + 1];
        for (int l = 0; l <= layers; l++) x[l] = own(nl * h);
        states = new long[layers];
        gi = new long[layers];
        this.gh = new long[layers];
        u = new long[layers];
        ln1 = new long[layers];
        after = new long[layers];
        mlpIn = new long[layers];
        ln2 = new long[layers];
        hidden = new long[layers];
        act = new long[layers];
        for (int l = 0; l < layers; l++) {
            states[l] = own((nl + b) * d);
            gi[l] = own(nl * gh3);
            this.gh[l] = own(nl * gh3);
            if (tf) {
                u[l] = own(nl * h);
                ln1[l] = own(2 * nl);
                after[l] = own(nl * h);
                mlpIn[l] = own(nl * h);
                ln2[l] = own(2 * nl);
                hidden[l] = own(nl * 4 * h);
                act[l] = own(nl * 4 * h);
            }
        }
        z = tf ? own(nl * h) : x[layers];
        lnf = tf ? own(2 * nl) : 0;
        logits = own(nl * c.vocab());
        dx = own(nl * h);
        e = own(nl * d);
        dgi = own(nl * gh3);
        dgh = c.cell() == dsf4j.config.CellType.GRU ? own(nl * gh3) : dgi;
        tmp = own(nl * h);
        tmp2 = own(nl * h);
        d4 = tf ? own(nl * 4 * h) : 0;
        loss = own(2);
        hyper = own(8);
        if (!ParamLayout.hasProjection(c) && d != h) throw new IllegalStateException("a block without projection needs D = H");
    }

    private long own(long floats) {
        long p = gpu.alloc(floats);
        owned.add(p);
        return p;
    }

    /** Bytes a (B, T) workspace takes for this config, to say so before allocating. */
    static long bytes(ModelConfig c, int b, int steps) {
        long n = (long) b * steps, h = c.hidden(), d = c.stateSize(), g = (long) c.cell().gates * h, layers = c.layers();
        boolean tf = c.block() == BlockType.TRANSFORMER;
        long perLayer = (n + b) * d + 2 * n * g + (tf ? 3 * n * h + 4 * n + 8 * n * h : 0);
        long rest = 2 * n + (layers + 1) * n * h + (tf ? n * h + 2 * n + 4 * n * h : 0) + n * c.vocab() + n * h + n * d
                + (c.cell() == dsf4j.config.CellType.GRU ? 2 : 1) * n * g + 2 * n * h;
        return 4 * (layers * perLayer + rest);
    }

    @Override
    public void close() {
        for (long p : owned) gpu.free(p);
        owned.clear();
    }
}
