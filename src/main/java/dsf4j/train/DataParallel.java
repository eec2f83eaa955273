package dsf4j.train;

import dsf4j.collective.Collective;
import dsf4j.collective.Collective.Element;
import dsf4j.collective.Collective.Op;
import dsf4j.collective.JobFailure;
import dsf4j.collective.SingleProcess;
import dsf4j.config.Method;
import dsf4j.engine.Engine;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * Data parallelism: one model trained by the N processes of a {@link Collective}, as PyTorch's
 * DistributedDataParallel does it. Every process holds the whole model and builds the same global
 * batches (their order is a function of the seed); process r takes the fixed rows
 * [⌊r·b/N⌋, ⌊(r+1)·b/N⌋) of every batch of b rows. With n_r the non-pad targets in process r's rows,
 * L_r and g_r the mean loss and its gradient there, and n = Σ_r n_r:
 * <pre>
 * L = Σ_r n_r·L_r / n        the mean over the global batch's non-pad targets, as one process computes it
 * g = Σ_r (n_r / n)·g_r      one in-place all-reduce of every trainable gradient, packed into one buffer
 * </pre>
 * (n, Σ n_r·L_r) come first, from an all-reduce of (n_r·L_r, n_r): the count is reduced, never the
 * per-process means. Every process then clips and updates from the same g (an all-reduce gives every
 * process the same bits), so the weights stay identical everywhere; {@link #checkSync} proves it.
 *
 * <p>Stream mode's carried state is [L][B·D] on every process: each computes its own rows, and the rows
 * travel in the gradient's buffer (zeros elsewhere), so that every process, and every checkpoint,
 * holds all of it after each step.
 *
 * <p>Buckets that all-reduce parts of the gradient while the backward still runs (DDP's overlap) are
 * not built: on one machine PTB 3L256's 25 MB all-reduce between 2 processes took 5–17 ms over shared
 * memory and 60–70 ms over TCP on the loopback, against a step of about a second, and it would compete
 * with the backward for the same cores; between machines the most it could save is the modelled
 * 1 − E(N) (README: Many machines), and the engines would have to hand over each tensor's gradient as
 * soon as it is final.
 *
 * <p>One process ({@link #SINGLE}, or a job of one) takes the whole batch and reduces nothing: its run is
 * bit for bit the run without this class.
 */
public final class DataParallel {

    /** One process: the whole batch, nothing reduced. */
    public static final DataParallel SINGLE = new DataParallel(SingleProcess.INSTANCE);

    /** A check that every process holds the same thing, and what to say when they do not. */
    public record Claim(long digest, String disagreement) {}

    /** Slots of the start-up vote: its status, its failure's hash, then up to this many claims. */
    static final int CLAIMS = 6;

    private final Collective world;
    private MemorySegment flat = MemorySegment.NULL;   // [Σ trainable sizes (+ L·B·D)] float32, native, reused every step
    private float[][] localState;                      // stream mode: this process's rows of the carried state, [L][rows·D]
    private long reduceNanos, reductions;

    private DataParallel(Collective world) {
        this.world = world;
    }

    public static DataParallel over(Collective world) {
        return world.size() == 1 && !world.launched() ? SINGLE : new DataParallel(world);
    }

    public Collective world() {
        return world;
    }

    public int rank() {
        return world.rank();
    }

    public int size() {
        return world.size();
    }

    /** Rank 0, the process that writes the run's files and prints. */
    public boolean leader() {
        return world.leader();
    }

    /** More than one process shares each batch. */
    public boolean distributed() {
        return world.size() > 1;
    }

    /** A launcher started the job: a stop signal must be saved at once ({@link Collective#launched}). */
    public boolean launched() {
        return world.launched();
    }

    /** The first of this process's rows of a batch of {@code rows}. */
    public int firstRow(int rows) {
        return (int) ((long) rank() * rows / size());
    }

    /** One past the last of this process's rows of a batch of {@code rows}. */
    public int endRow(int rows) {
        return (int) ((long) (rank() + 1) * rows / size());
    }

    /**
     * This process's rows of {@code b}, or null when it has none (a batch of fewer rows than processes).
     *
     * @param trim cut the columns after the last non-pad target of these rows (they add nothing to the
     *             loss; not in stream mode, whose state is the one after the batch's last column)
     */
    public Batch share(Batch b, int padId, boolean trim) {
        int lo = firstRow(b.batch()), hi = endRow(b.batch());
        if (lo == hi) return null;
        int t = b.steps(), keep = t;
        if (trim) {
            keep = 1;
            for (int r = lo; r < hi; r++) {
                for (int c = t - 1; c >= keep; c--) {
                    if (b.target()[r * t + c] != padId) {
                        keep = c + 1;
                        break;
                    }
                }
            }
        }
        int rows = hi - lo;
        int[] input = new int[rows * keep], target = new int[rows * keep];   // [rows, keep]
        for (int r = 0; r < rows; r++) {
            System.arraycopy(b.input(), (lo + r) * t, input, r * keep, keep);
            System.arraycopy(b.target(), (lo + r) * t, target, r * keep, keep);
        }
        return new Batch(rows, keep, input, target);
    }

    /**
     * The loss of the global batch {@code b} and its gradient, every process computing its rows.
     *
     * @param grads      output: the global batch's dL/dθ, the same on every process, overwritten
     * @param carried    stream mode: the state [L][B·D] every process holds (read only); null otherwise
     * @param carriedOut stream mode: the state after the batch, [L][B·D], all rows, overwritten; null otherwise
     * @return L, the mean over the global batch's non-pad targets (NaN on every process when any process's is)
     */
    public double lossAndGradient(Engine engine, Parameters params, Batch b, Method method, Parameters grads, int padId, float[][] carried,
                                  float[][] carriedOut) {
        Batch mine = share(b, padId, carried == null);
        double loss = 0;
        long targets = 0;
        if (mine != null) {
            if (carried == null) {
                loss = engine.lossAndGradient(params, mine, method, grads);
            } else {
                float[][] state = localRows(carried, b.batch());
                loss = engine.lossAndGradient(params, mine, method, grads, state);
            }
            targets = mine.targetCount(padId);
        } else {
            for (Tensor g : grads) Arrays.fill(g.data(), 0f);
        }
        long t0 = System.nanoTime();
        double[] sums = {targets == 0 ? 0 : loss * targets, targets};   // (n_r·L_r, n_r); a NaN loss stays NaN
        world.allReduce(sums, Op.SUM);
        double n = sums[1];
        float scale = n > 0 ? (float) (targets / n) : 0f;
        long count = pack(grads, scale, carried == null ? null : localState, b.batch());
        world.allReduce(flat, Element.FLOAT32, count, Op.SUM);
        unpack(grads, carriedOut);
        reduceNanos += System.nanoTime() - t0;
        reductions++;
        return n > 0 ? sums[0] / n : sums[0];   // 0 for a batch of padding only, as the engines return
    }

    /**
     * Σ cross-entropy over every non-pad target of {@code batches}, each process evaluating its rows.
     *
     * @param carried stream mode: the state to start from, [L][B·D] (overwritten: each process's rows); null otherwise
     */
    public Engine.LossSum evaluate(Engine engine, Parameters params, List<Batch> batches, int padId, float[][] carried) {
        double sum = 0;
        long count = 0;
        float[][] state = null;
        for (Batch b : batches) {
            Batch mine = share(b, padId, carried == null);
            if (mine == null) continue;
            if (carried != null && state == null) state = localRows(carried, b.batch());
            Engine.LossSum s = carried == null ? engine.evaluate(params, mine) : engine.evaluate(params, mine, state);
            sum += s.sum();
            count += s.count();
        }
        double[] total = {sum, count};
        world.allReduce(total, Op.SUM);
        return new Engine.LossSum(total[0], (long) total[1]);
    }

    /**
     * Every process compares a checksum of its weights and Adam's state with the others'.
     *
     * @throws TrainingHalted on every process, when they differ
     */
    public void checkSync(long step, Parameters params, Adam adam) {
        if (!distributed()) return;
        long h = digest(params, adam.firstMoments(), adam.secondMoments()) ^ adam.steps();
        long[] lo = {h}, hi = {h};
        world.allReduce(lo, Op.MIN);
        world.allReduce(hi, Op.MAX);
        if (lo[0] != hi[0]) {
            throw new TrainingHalted(String.format(Locale.ROOT, "step %d: the %d processes' weights are no longer identical (checksums %016x … %016x): "
                    + "a process computed differently (another CPU, library or build, or a fault); the last checkpoint holds weights that were checked: "
                    + "resume from it, on machines that agree", step, size(), lo[0], hi[0]), null);
        }
    }

    /**
     * The start-up vote, when this process is ready: every process's claims must agree.
     *
     * @throws JobFailure on every process, when some process failed to start or the claims differ
     */
    public void agree(List<Claim> claims) {
        if (!launched()) return;
        if (claims.size() > CLAIMS) throw new IllegalArgumentException("at most " + CLAIMS + " claims");
        long[] v = new long[2 + CLAIMS];
        for (int i = 0; i < claims.size(); i++) v[2 + i] = claims.get(i).digest();
        long[] hi = v.clone(), lo = v.clone();
        JobFailure failed = vote(v, null, lo, hi);
        if (failed != null) throw failed;
        for (int i = 0; i < claims.size(); i++) {
            if (lo[2 + i] != hi[2 + i]) {
                throw new JobFailure(new IllegalArgumentException("the " + size() + " processes " + claims.get(i).disagreement()), leader(), "", 2);
            }
        }
    }

    /**
     * The start-up vote, when this process failed to start: the exception to throw. One process: the
     * failure itself. A job: a {@link JobFailure} that rank 0 reports, and any other process too when its
     * failure is not the one every process had (with its rank in front).
     */
    public RuntimeException refuse(Throwable failure) {
        if (!launched()) return failure instanceof RuntimeException r ? r : new IllegalStateException(failure);
        long[] v = new long[2 + CLAIMS];
        v[0] = status(failure);
        v[1] = hash(String.valueOf(failure.getMessage()));
        return vote(v, failure, v.clone(), v.clone());
    }

    /**
     * Reduces the vote vector {@code v} (status, failure hash, claims) into {@code lo} (min) and {@code hi}
     * (max) over the processes.
     *
     * @param own this process's failure, or null
     * @return the failure every process ends with when any process failed; null when none did
     */
    private JobFailure vote(long[] v, Throwable own, long[] lo, long[] hi) {
        world.allReduce(hi, Op.MAX);
        world.allReduce(lo, Op.MIN);
        if (hi[0] == 0) return null;
        if (own == null) return new JobFailure(null, false, "", (int) hi[0]);
        boolean everyoneSame = lo[0] > 0 && lo[1] == hi[1];
        return new JobFailure(own, leader() || !everyoneSame, leader() ? "" : "rank " + rank() + " of " + size() + ": ", (int) v[0]);
    }

    /** 2 for bad input (an IllegalArgumentException, as the command line's error handler counts it), 1 otherwise. */
    static int status(Throwable t) {
        return t instanceof IllegalArgumentException ? 2 : 1;
    }

    /** Rank 0's {@code value} on every process. */
    public long fromLeader(long value) {
        if (!distributed()) return value;
        long[] v = {value};
        world.broadcast(v, 0);
        return v[0];
    }

    /** Rank 0's tensors on every process: {@code mine} on rank 0, copied into {@code like}'s copy elsewhere. */
    public Parameters fromLeader(Parameters mine, Parameters like) {
        if (!distributed()) return mine;
        Parameters p = leader() ? mine : like.copy();
        for (Tensor t : p) world.broadcast(t.data(), 0);
        return p;
    }

    /** Mean seconds per step in the gradient's reductions (the all-reduces and their packing), 0 before any. */
    public double reduceSecondsPerStep() {
        return reductions == 0 ? 0 : reduceNanos / 1e9 / reductions;
    }

    /** This process's rows of the global state [L][B·D], copied into a buffer of its own, [L][rows·D]. */
    private float[][] localRows(float[][] global, int batch) {
        int lo = firstRow(batch), hi = endRow(batch), d = global[0].length / batch;
        if (localState == null || localState[0].length != (hi - lo) * d) localState = new float[global.length][(hi - lo) * d];
        for (int l = 0; l < global.length; l++) System.arraycopy(global[l], lo * d, localState[l], 0, (hi - lo) * d);
        return localState;
    }

    /**
     * Packs scale·g of every trainable tensor, then (stream mode) this process's rows of the state after the
     * batch at their global place, zeros in the other rows: the buffer one all-reduce sums.
     *
     * @param grads scaled in place
     * @return the number of floats packed
     */
    private long pack(Parameters grads, float scale, float[][] state, int batch) {
        long count = 0;
        for (Tensor g : grads) if (g.trainable()) count += g.size();
        int d = state == null ? 0 : state[0].length / (endRow(batch) - firstRow(batch));
        long stateFloats = state == null ? 0 : (long) state.length * batch * d;
        if (flat.byteSize() < 4 * (count + stateFloats)) flat = Arena.ofAuto().allocate(4 * (count + stateFloats), 64);
        long off = 0;
        for (Tensor g : grads) {
            if (!g.trainable()) continue;
            float[] a = g.data();
            for (int i = 0; i < a.length; i++) a[i] *= scale;
            MemorySegment.copy(a, 0, flat, JAVA_FLOAT, 4 * off, a.length);
            off += a.length;
        }
        if (state != null) {
            flat.asSlice(4 * off, 4 * stateFloats).fill((byte) 0);
            for (float[] layer : state) {
                MemorySegment.copy(layer, 0, flat, JAVA_FLOAT, 4 * (off + (long) firstRow(batch) * d), layer.length);
                off += (long) batch * d;
            }
        }
        return off;
    }

    /** The reduced gradient back into {@code grads}, and the whole state after the batch into {@code stateOut}. */
    private void unpack(Parameters grads, float[][] stateOut) {
        long off = 0;
        for (Tensor g : grads) {
            if (!g.trainable()) continue;
            MemorySegment.copy(flat, JAVA_FLOAT, 4 * off, g.data(), 0, g.size());
            off += g.size();
        }
        if (stateOut != null) {
            for (float[] layer : stateOut) {
                MemorySegment.copy(flat, JAVA_FLOAT, 4 * off, layer, 0, layer.length);
                off += layer.length;
            }
        }
    }

    /** FNV-1a over a string's UTF-8 bytes. */
    public static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** FNV-1a over the bits of every value of every tensor, in order (names and shapes included). */
    public static long digest(Parameters... sets) {
        long h = 0xcbf29ce484222325L;
        for (Parameters ps : sets) {
            for (Tensor t : ps) {
                h = (h ^ hash(t.name() + Arrays.toString(t.shape()))) * 0x100000001b3L;
                for (float x : t.data()) h = (h ^ Float.floatToRawIntBits(x)) * 0x100000001b3L;
            }
        }
        return h;
    }
}
