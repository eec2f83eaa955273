package dsf4j.engine;

import dsf4j.config.BlockType;
import dsf4j.config.ModelConfig;
import dsf4j.model.ParamLayout;

import java.util.Locale;

/**
 * The heap a training run needs, in bytes, computed from the configuration alone (nothing is
 * allocated), so that a run that would not fit is refused before it starts. The estimate is
 * deliberately generous: being refused with a suggestion beats an {@link OutOfMemoryError} an hour in.
 *
 * <pre>
 * P = the number of float32 values of {@link ParamLayout} (λ included), N = batch · seq
 * parameters   4·P     the trainer's float32 weights
 * gradients    4·P     the trainer's float32 gradient
 * optimizer    8·P     Adam's two moments
 * engine       what the engine keeps for one forward + backward (its own copies, activations)
 * </pre>
 * Each engine refines the last line: {@link #reference} for the double-precision reference engine,
 * {@code FastEngine.memoryEstimate} for the fast engine (its workspace counted array by array).
 *
 * @param engine bytes the engine holds during one training step
 */
public record MemoryEstimate(long parameters, long gradients, long optimizer, long engine) {

    /** Extra heap the garbage collector needs beyond the live set (ParallelGC copies the young generation). */
    static final double GC_HEADROOM = 1.25;

    public long total() {
        return parameters + gradients + optimizer + engine;
    }

    /** The trainer's share (weights, gradient, Adam) plus {@code engineBytes}. */
    public static MemoryEstimate withEngine(ModelConfig c, long engineBytes) {
        long p = parameterCount(c);
        return new MemoryEstimate(4 * p, 4 * p, 8 * p, engineBytes);
    }

    /**
     * The reference engine ({@code ReferenceModel}): a double copy of the weights and of the gradient
     * per call, and every activation of the forward kept in double [N, ·] matrices until the backward:
     * per layer the block input, the recurrent input and its per-step copies, the states (per step and
     * joined), the projection, and for the transformer block LN1, LN2, fc1 and GELU (4H each) and the
     * MLP output; then the logits and their gradient [N, V]. The backward allocates about one layer's
     * worth again while it runs.
     */
    public static MemoryEstimate reference(ModelConfig c, int batch, int seq) {
        long n = (long) batch * seq, h = c.hidden(), d = c.stateSize(), v = c.vocab();
        boolean tf = c.block() == BlockType.TRANSFORMER;
        long perLayer = (tf ? 18 * h : 4 * h) + 3 * d;        // values per position kept by one layer
        long backward = (tf ? 14 * h : 4 * h) + 3 * d;        // values per position alive in one layer's backward
        long values = n * (c.layers() * perLayer + backward + 2 * v + 3 * h);
        return withEngine(c, 8 * values + 16 * parameterCount(c));
    }

    /** P, the float32 values of every tensor of {@link ParamLayout} (trainable and buffers), without allocating them. */
    public static long parameterCount(ModelConfig c) {
        long h = c.hidden(), v = c.vocab(), d = c.stateSize(), gi = (long) c.cell().gates * h, gh = (long) c.cell().hiddenGates * h;
        boolean tf = c.block() == BlockType.TRANSFORMER;
        long layer = (gi + gh) * h + gi + gh + d;                    // weight_ih, weight_hh, biases, λ
        if (ParamLayout.hasProjection(c)) layer += h * d + h;          // proj
        if (tf) layer += 4 * h + 4 * h * h + 4 * h + 4 * h * h + h;    // norm1, norm2, fc1, fc2
        return 2 * v * h + v + c.layers() * layer + (tf ? 2 * h : 0);  // embedding, head, layers, final norm
    }

    /**
     * Why this run cannot be held by the heap, or null when it can.
     *
     * @param maxHeap  {@link Runtime#maxMemory()}
     * @param usedHeap heap already in use (the corpus, after a collection)
     */
    public String refusal(long maxHeap, long usedHeap) {
        if (total() <= maxHeap - usedHeap) return null;
        long fits = roundUp((long) ((usedHeap + total()) * GC_HEADROOM));
        return String.format(Locale.ROOT, "this configuration needs about %s of heap (weights %s, gradient %s, Adam %s, engine %s) but the JVM has %s free of -Xmx%s: "
                        + "run with DSF4J_JAVA_OPTS=-Xmx%s (if the machine has the memory), or lower --batch, --seq, --hidden or --layers",
                bytes(total()), bytes(parameters), bytes(gradients), bytes(optimizer), bytes(engine), bytes(Math.max(0, maxHeap - usedHeap)),
                xmx(roundUp(maxHeap)), xmx(fits));
    }

    /**
     * Checks that every array the run allocates fits a Java array (2^31 − 1 values): the largest weight
     * matrix, and the [N, V] logits and [N, 4H] MLP activations of a batch.
     *
     * @throws IllegalArgumentException naming the array and the flag to lower
     */
    public static void requireArraySizes(ModelConfig c, int batch, int seq) {
        long h = c.hidden(), v = c.vocab(), n = (long) batch * seq;
        long weights = Math.max(Math.max((long) c.cell().gates * h * h, v * h),
                Math.max(c.block() == BlockType.TRANSFORMER ? 4 * h * h : 0, ParamLayout.hasProjection(c) ? h * c.stateSize() : 0));
        if (weights > MAX_ARRAY) {
            throw new IllegalArgumentException("--hidden " + h + " makes a weight matrix of " + weights + " values, more than a Java array holds (" + MAX_ARRAY + "): lower --hidden");
        }
        long activations = n * Math.max(v, 4 * h);
        if (activations > MAX_ARRAY) {
            throw new IllegalArgumentException("--batch " + batch + " × --seq " + seq + " makes an activation matrix of " + activations + " values, more than a Java array holds ("
                    + MAX_ARRAY + "): lower --batch or --seq");
        }
    }

    /** The most values a Java array can hold on HotSpot. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** Rounds up to a whole GiB (to 256 MiB below 4 GiB). */
    static long roundUp(long b) {
        long unit = b < (4L << 30) ? 256L << 20 : 1L << 30;
        return (b + unit - 1) / unit * unit;
    }

    /** -Xmx syntax: 12g or 768m. */
    static String xmx(long b) {
        return b % (1L << 30) == 0 ? (b >> 30) + "g" : (b >> 20) + "m";
    }

    /** 1.5 GiB, 12.0 MiB, 512 B. */
    public static String bytes(long b) {
        if (b >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        if (b >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        if (b >= 1L << 10) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return b + " B";
    }
}
