package dsf4j.engine.fast;

import dsf4j.config.DsfSolver;
import dsf4j.grad.GradientMethod;
import dsf4j.grad.RecurrentBackward;

/**
 * One recurrent layer over a whole sequence, time-major (row t·B + b), with its buffers.
 *
 * <p>Forward: one big GEMM gives gi = x·W_ihᵀ + b_ih for all T steps; then per step the recurrent
 * GEMM gh = h_{t−1}·W_hhᵀ + b_hh (none for a cell without hidden gates) and the cell's fused gate kernel
 * (gates kept for the backward).
 *
 * <p>Backward from e_t = ∂L/∂s_t (everything but s_{t+1}): the {@link GradientMethod} asks this layer
 * ({@link RecurrentBackward}) for what it needs:
 * <ul>
 * <li>{@link #solveDiagonal}: δ = solver(e, λ) for all t at once (eq. 13/14);</li>
 * <li>{@link #localSteps}: the local gate gradients of a range of steps, all rows of all its steps in parallel;</li>
 * <li>{@link #exactSteps}: per step from the window's last down, δ_t = e_t + carry, gate gradients of step t,
 *     then carry = dGh_t·W_hh + the direct part (the one sequential GEMM per step, the price of exactness);</li>
 * </ul>
 * then, for every method, three large GEMMs: dW_ih += dGiᵀ·x, dW_hh += dGh[t≥1]ᵀ·h[t≤T−2],
 * dx = dGi·W_ih, and the bias gradients as column sums.
 */
final class FastRecurrentLayer implements RecurrentBackward {

    private final CellKernel cell;
    private final Gemm gemm;
    private final int batch, steps, n, h, g, gw, d;   // gw = R·H, the hidden gates' width
    private final DiagonalSolvers solver;

    final float[] states;        // s_t, [N, D]
    private final float[] gi;    // x·W_ihᵀ + b_ih, [N, G·H] (shared: Scratch)
    private final float[] gh;    // one step's h_{t−1}·W_hhᵀ + b_hh, [B, R·H]
    private final float[] cache; // the gates, [N, cacheWidth]
    private final float[] delta; // e, then δ, [N, D] (shared)
    private final float[] dGi;   // ∂L/∂gi, [N, G·H] (shared, the same array as gi)
    private final float[] dGh;   // ∂L/∂gh, [N, G·H] layout, first R blocks (shared; = dGi except for the GRU)
    private final float[] carry; // BPTT: δ_{t+1}·J_{t+1}, [B, D]
    private final float[] zeros; // s_{−1} = 0, [B, D]
    private final float[] initial; // s_{−1} carried in (stream mode, the stepper), [B, D]
    private boolean hasInitial;  // whether the last forward started from initial rather than zeros
    private float[] input;       // the last forward's x, [N, H] (not copied)

    private final Scratch scratch;
    private final Parallel parallel;
    private final ColumnSums columnSums;
    private final RowKernels rowKernels;
    private final Parallel.Body forwardRows = this::forwardRows, localBackwardStep = this::localBackwardStep,
            exactRows = this::exactRows, windowRows = this::windowRows, jacobianStep = this::jacobianStep;
    private static final int ROWS_PER_TASK = 16;
    private int curT;                 // the step forwardRows and exactRows work on
    private float[] curPrev;          // its s_{t−1} array (zeros, s0 or states)
    private float[] curHiddenBias;    // forwardRows: b_hh [R·H] to add to the step's gh, null when gh holds it already (or R = 0)
    private int curPrevOff;
    private int firstStep;            // localSteps: the first step of its range
    private int windowEnd;            // exactSteps: the window's end (no carry into its last step)
    private boolean carryOut;         // exactSteps: whether step curT forms δ·J for the step below
    private float[] lambda, wHh;      // the backward's λ [D] and W_hh [R·H, H] (null when R = 0)
    private int window, windowStep;   // exactWindows: K, and the step k of every window being run
    private int[] targets;            // jacobianDiagonal: the batch's targets, time-major [N]
    private int padId;
    private double[] stepSums;        // jacobianDiagonal: Σ_b diag(J_t) per step, [T, D] (allocated at first use)
    private int[] stepCounts;         // jacobianDiagonal: rows counted per step, [T]
    private float[][] jacobianRows;   // jacobianDiagonal: one row's diag(J_t) per worker, [threads][D]
    private float[] wDiag;            // jacobianDiagonal: W_hh[k·H + i, i], [R·H]
    /** Nanoseconds of the last backward spent before the weight GEMMs (solver or BPTT loop, gate gradients). */
    long deltaNanos;

    /**
     * The buffers a layer needs only while its own forward or its own backward runs, shared by the
     * layers of one model (they run one at a time): gi lives from the input GEMM to the last step's
     * gate kernel, δ, dGi and dGh from the caller's e to the end of the backward, so gi and dGi can be
     * one array. At B·T = 32,640, H = 512 (GRU) that is 0.5 GB once instead of 0.7 GB per layer.
     */
    static final class Scratch {
        final float[] giOrDGi;   // [N, G·H]
        final float[] dGh;       // [N, G·H]; the same array as giOrDGi unless the cell keeps them apart (GRU)
        final float[] delta;     // [N, D]
        // W_hh packed once per sequence for its T per-step GEMMs (W_hhᵀ [H, R·H] in the forward, W_hh
        // [R·H, H] in an exact backward), room for the larger: packing it at every step cost as much as
        // the step's product (B = 64, H = 256).
        final Gemm.PackedB packedWhh;

        // A hybrid method's, allocated at its first backward (null for every other method):
        float[] windowCarry;     // δ_{t+1}·J_{t+1} of every window, [⌈T/K⌉·B, D]
        float[] windowDGh;       // one step's dGh of every window, gathered for one GEMM, [⌈T/K⌉·B, R·H]
        float[] keptErrors;      // e while the prefix or FFT solver overwrites it, [N, D]

        Scratch(CellKernel cell, int batch, int steps) {
            int n = batch * steps;
            giOrDGi = new float[n * cell.g];
            dGh = cell.separateHiddenGradient() ? new float[n * cell.g] : giOrDGi;
            delta = new float[n * cell.d];
            packedWhh = new Gemm.PackedB(packedWhhFloats(cell.h, cell.gh));
        }

        /** Floats of the packed W_hh: the larger of W_hhᵀ's and W_hh's packings (0 without hidden gates). */
        static int packedWhhFloats(int h, int gw) {
            return gw == 0 ? 0 : Math.max(Gemm.packedFloats(h, gw), Gemm.packedFloats(gw, h));
        }
    }

    /** @param scratch shared with the other layers of the model, sized for the same (batch, steps) */
    FastRecurrentLayer(CellKernel cell, Gemm gemm, ColumnSums columnSums, RowKernels rowKernels, DsfSolver solverKind,
                       int batch, int steps, Scratch scratch) {
        this.cell = cell;
        this.gemm = gemm;
        this.parallel = gemm.parallel();
        this.columnSums = columnSums;
        this.rowKernels = rowKernels;
        this.batch = batch;
        this.steps = steps;
        this.n = batch * steps;
        this.h = cell.h;
        this.g = cell.g;
        this.gw = cell.gh;
        this.d = cell.d;
        this.solver = new DiagonalSolvers(solverKind, steps, batch, d);
        this.scratch = scratch;
        states = new float[n * d];
        gi = scratch.giOrDGi;
        gh = new float[batch * gw];
        cache = new float[n * cell.cacheWidth];
        delta = scratch.delta;
        dGi = scratch.giOrDGi;
        dGh = scratch.dGh;
        carry = new float[batch * d];
        zeros = new float[batch * d];
        initial = new float[batch * d];
    }

    /** e_t, [N, D], to be filled by the caller right before {@link #backward} (shared by the layers). */
    float[] errors() {
        return delta;
    }

    /**
     * s_t = f(s_{t−1}, x_t) for t = 0 … T−1 into {@link #states}.
     *
     * @param x   [N, H], read only
     * @param s0  [B, D] initial state, or null for 0
     * @param wHh weight_hh [R·H, H] and bHh bias_hh [R·H]: null for a cell without hidden gates
     */
    void forward(float[] x, float[] s0, float[] wIh, float[] wHh, float[] bIh, float[] bHh) {
        this.input = x;
        hasInitial = s0 != null;
        if (hasInitial) System.arraycopy(s0, 0, initial, 0, batch * d);   // the caller may overwrite s0 before the backward
        gemm.nt(n, g, h, x, 0, wIh, 0, gi, 0, false);
        rowKernels.addRowVector(gi, n, g, bIh);
        if (gw > 0) gemm.pack(true, h, gw, wHh, 0, h, scratch.packedWhh);     // op(B) = W_hhᵀ, [H, R·H]
        for (int t = 0; t < steps; t++) {
            float[] prev = t == 0 ? first() : states;
            int prevOff = t == 0 ? 0 : (t - 1) * batch * d;
            curHiddenBias = null;
            if (gw > 0 && t == 0 && !hasInitial) {           // h_{−1} = 0: gh is the bias
                for (int b = 0; b < batch; b++) System.arraycopy(bHh, 0, gh, b * gw, gw);
            } else if (gw > 0) {                              // (a cell without hidden gates has no gh)
                gemm.multiply(false, false, batch, prev, prevOff, d, scratch.packedWhh, gh, 0, gw);
                curHiddenBias = bHh;                          // + b_hh, by the gate tasks on their rows
            }
            curT = t;
            curPrev = prev;
            curPrevOff = prevOff;
            parallel.forEach((batch + ROWS_PER_TASK - 1) / ROWS_PER_TASK, forwardRows);
        }
        curPrev = null;
        curHiddenBias = null;
    }

    /** s_{−1}: the carried state, or zeros. */
    private float[] first() {
        return hasInitial ? initial : zeros;
    }

    /** The last state s_{T−1}, [B, D], into {@code out}. */
    void finalState(float[] out) {
        System.arraycopy(states, (steps - 1) * batch * d, out, 0, batch * d);
    }

    /** The gate kernel on rows [16·task, 16·task + 16) of step curT, after adding b_hh to their gh (in parallel, each row just before its gates read it). */
    private void forwardRows(int task, int worker) {
        int b0 = task * ROWS_PER_TASK, rows = Math.min(ROWS_PER_TASK, batch - b0), r = curT * batch + b0;
        if (curHiddenBias != null) VectorMath.addRowVector(gh, b0 * gw, rows, gw, curHiddenBias);     // gh = h_{t−1}·W_hhᵀ + b_hh
        cell.forward(rows, gi, r * g, gh, b0 * gw, curPrev, curPrevOff + b0 * d, states, r * d, cache, r * cell.cacheWidth);
    }

    /**
     * An exact step, curT, rows [16·task, 16·task + 16): δ_t = e_t + carry (carry = δ_{t+1}·J_{t+1}; none
     * at the window's last step), the gate gradients, and the direct part of the next carry (the W_hh part
     * is one GEMM after all rows).
     */
    private void exactRows(int task, int worker) {
        int t = curT, b0 = task * ROWS_PER_TASK, rows = Math.min(ROWS_PER_TASK, batch - b0), r = t * batch + b0;
        if (t < windowEnd - 1) VectorMath.addInPlace(delta, r * d, carry, b0 * d, rows * d);
        float[] prev = t == 0 ? first() : states;
        int prevOff = t == 0 ? b0 * d : ((t - 1) * batch + b0) * d;
        cell.backward(rows, delta, r * d, states, r * d, prev, prevOff, cache, r * cell.cacheWidth,
                dGi, dGh, r * g, carryOut ? carry : null, b0 * d);
    }

    /** The local gate gradients of step {@code firstStep + i} (every step is independent). */
    private void localBackwardStep(int i, int worker) {
        int t = firstStep + i, r = t * batch;
        float[] prev = t == 0 ? first() : states;
        int prevOff = t == 0 ? 0 : (t - 1) * batch * d;
        cell.backward(batch, delta, r * d, states, r * d, prev, prevOff, cache, r * cell.cacheWidth, dGi, dGh, r * g, null, 0);
    }

    /**
     * Backward of the last {@link #forward} (from its s_{−1}, held fixed: no gradient flows into it). Reads e from
     * {@link #errors()} (overwritten with δ), lets {@code method} carry it across time, accumulates the
     * parameter gradients, writes dx.
     *
     * @param lambda λ, [D] (read by methods that solve eq. 13)
     * @param wHh    W_hh, and dWHh, dBHh its gradients: null for a cell without hidden gates
     * @param dx     output, [N, H], overwritten
     */
    void backward(GradientMethod method, float[] lambda, float[] wIh, float[] wHh,
                  float[] dWIh, float[] dWHh, float[] dBIh, float[] dBHh, float[] dx) {
        long t0 = System.nanoTime();
        this.lambda = lambda;
        this.wHh = wHh;
        method.backward(this);
        this.lambda = this.wHh = null;
        deltaNanos = System.nanoTime() - t0;
        int bg = batch * g;
        gemm.tn(g, h, n, dGi, 0, input, 0, dWIh, 0, true);
        if (gw > 0) {
            if (steps > 1) gemm.multiply(true, true, false, gw, h, n - batch, dGh, bg, g, states, 0, d, dWHh, 0, h);
            if (hasInitial) gemm.multiply(true, true, false, gw, h, batch, dGh, 0, g, initial, 0, d, dWHh, 0, h);   // step 0's s_{−1}
        }
        columnSums.add(dGi, n, g, g, dBIh);
        if (gw > 0) columnSums.add(dGh, n, g, gw, dBHh);
        gemm.nn(n, h, g, dGi, 0, wIh, 0, dx, 0, false);
    }

    /**
     * Σ diag(J_t), J_t = ∂s_t/∂s_{t−1}, over the steps t ≥ 1 and rows b of the last {@link #forward} whose
     * target is not {@code padId}, into {@code sum}: per step in parallel, then the steps added in order
     * (the same bits at any thread count). Buffers are allocated at the first call.
     *
     * @param wHh     weight_hh [R·H, H], or null for a cell without hidden gates
     * @param targets the batch's targets, time-major [N], read only
     * @param sum     output, [D], overwritten
     * @return how many (t, b) were summed
     */
    long jacobianDiagonalSum(float[] wHh, int[] targets, int padId, double[] sum) {
        if (stepSums == null) {
            stepSums = new double[steps * d];
            stepCounts = new int[steps];
            jacobianRows = new float[parallel.threads()][d];
            wDiag = new float[gw];
        }
        for (int i = 0; i < gw; i++) wDiag[i] = wHh[i * h + i % h];   // W_hh[k·H + i, i]
        this.targets = targets;
        this.padId = padId;
        parallel.forEach(steps - 1, jacobianStep);
        this.targets = null;
        java.util.Arrays.fill(sum, 0);
        long count = 0;
        for (int t = 1; t < steps; t++) {
            count += stepCounts[t];
            for (int i = 0; i < d; i++) sum[i] += stepSums[t * d + i];
        }
        return count;
    }

    /** Step t = task + 1 of {@link #jacobianDiagonalSum}: Σ_b diag(J_t) over the rows whose target counts. */
    private void jacobianStep(int task, int worker) {
        int t = task + 1, o = t * d, count = 0;
        float[] row = jacobianRows[worker];
        java.util.Arrays.fill(stepSums, o, o + d, 0);
        for (int b = 0; b < batch; b++) {
            int r = t * batch + b;
            if (targets[r] == padId) continue;
            cell.jacobianDiagonalRow(states, r * d, states, (r - batch) * d, cache, r * cell.cacheWidth, wDiag, row);
            for (int i = 0; i < d; i++) stepSums[o + i] += row[i];
            count++;
        }
        stepCounts[t] = count;
    }

    // ---------------------------------------------------------------------------------------------
    // What a gradient method asks of the layer (grad.RecurrentBackward); δ lives in errors().

    @Override
    public int steps() {
        return steps;
    }

    @Override
    public void solveDiagonal(int window) {
        if (window > 1 && solverNeedsKeep() && (scratch.keptErrors == null || scratch.keptErrors.length < n * d)) scratch.keptErrors = new float[n * d];
        solver.solveAtWindowEnds(delta, lambda, window, carry, scratch.keptErrors);
    }

    private boolean solverNeedsKeep() {
        return solver.kind() != DsfSolver.SCAN;
    }

    @Override
    public void localSteps(int from, int to) {
        firstStep = from;
        parallel.forEach(to - from, localBackwardStep);
    }

    /**
     * The windows run together: for k = K−1 down to 0, step k of every window at once (rows of all
     * windows in one parallel pass, then one GEMM of ⌈T/K⌉·B rows for the carries' W_hh part), so the
     * sequential depth is K. Each window's arithmetic is that of {@link #exactSteps} on it, so the
     * result is the same, bit for bit, as running the windows one after another.
     */
    @Override
    public void exactWindows(int window) {
        int windows = (steps + window - 1) / window, last = steps - (windows - 1) * window;   // the last window's length
        if (windows == 1) {
            exactSteps(0, steps);
            return;
        }
        if (window == 1) {
            localSteps(0, steps);
            return;
        }
        if (scratch.windowCarry == null || scratch.windowCarry.length < windows * batch * d) {
            scratch.windowCarry = new float[windows * batch * d];
            scratch.windowDGh = new float[windows * batch * gw];
        }
        this.window = window;
        if (gw > 0) gemm.pack(false, gw, h, wHh, 0, h, scratch.packedWhh);    // op(B) = W_hh, [R·H, H]
        int tasks = (batch + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        for (int k = window - 1; k >= 0; k--) {
            int active = k < last ? windows : windows - 1;     // the last window may be shorter
            windowStep = k;
            parallel.forEach(active * tasks, windowRows);
            if (k > 0 && gw > 0) {   // carry[:, :H] += dGh_t·W_hh for every window (the direct part is already in it)
                gemm.multiply(true, false, active * batch, scratch.windowDGh, 0, gw, scratch.packedWhh, scratch.windowCarry, 0, d);
            }
        }
    }

    /**
     * Step k = windowStep of window c, rows [16·j, 16·j + 16), task = c·tasks + j: as {@link #exactRows},
     * with window c's carry, and its dGh rows gathered for the GEMM.
     */
    private void windowRows(int task, int worker) {
        int tasks = (batch + ROWS_PER_TASK - 1) / ROWS_PER_TASK, c = task / tasks, b0 = (task % tasks) * ROWS_PER_TASK;
        int rows = Math.min(ROWS_PER_TASK, batch - b0), k = windowStep;
        int t = c * window + k, end = Math.min(c * window + window, steps), r = t * batch + b0, wr = c * batch + b0;
        float[] windowCarry = scratch.windowCarry;
        if (t < end - 1) VectorMath.addInPlace(delta, r * d, windowCarry, wr * d, rows * d);
        float[] prev = t == 0 ? first() : states;
        int prevOff = t == 0 ? b0 * d : ((t - 1) * batch + b0) * d;
        cell.backward(rows, delta, r * d, states, r * d, prev, prevOff, cache, r * cell.cacheWidth,
                dGi, dGh, r * g, k > 0 ? windowCarry : null, wr * d);
        if (k > 0 && gw > 0) {
            for (int i = 0; i < rows; i++) System.arraycopy(dGh, (r + i) * g, scratch.windowDGh, (wr + i) * gw, gw);
        }
    }

    @Override
    public void exactSteps(int from, int to) {
        windowEnd = to;
        if (gw > 0 && to - from > 1) gemm.pack(false, gw, h, wHh, 0, h, scratch.packedWhh);    // op(B) = W_hh, [R·H, H]
        for (int t = to - 1; t >= from; t--) {
            curT = t;
            carryOut = t > from;
            parallel.forEach((batch + ROWS_PER_TASK - 1) / ROWS_PER_TASK, exactRows);
            if (carryOut && gw > 0) {   // carry[:, :H] += dGh_t·W_hh (the direct part is already in carry)
                gemm.multiply(true, false, batch, dGh, t * batch * g, g, scratch.packedWhh, carry, 0, d);
            }
        }
    }
}
