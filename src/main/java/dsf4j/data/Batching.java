package dsf4j.data;

/**
 * How a sentence corpus's training samples are grouped into batches (evaluation batches are always
 * in corpus order). Only sentence samples have different lengths, so only {@link DataMode#SENTENCES}
 * reads it; every other mode's samples are all T + 1 ids long.
 *
 * <ul>
 * <li>{@code random} (the authors' PTB setup, and every paper preset): the epoch's samples in a random
 *     order, cut into batches of B, each batch trimmed to its longest row (PyTorch's pad_sequence).
 *     Every batch is a uniform sample of the corpus.</li>
 * <li>{@code bucket:N}: a speed option. The shuffled samples are cut into mega-batches of N·B, each
 *     sorted by length and cut into batches of B, and the batch order shuffled again. A batch then holds
 *     sentences of nearly one length, so little of its work is padding (3% instead of 59% on PTB) and a
 *     step costs about half; but the batches are no longer uniform samples: a batch of short sentences
 *     has as much weight in the update as one of long sentences. That changes the training, not only its
 *     speed (README: "Batching").</li>
 * </ul>
 *
 * @param bucketBatches N, the mega-batch size in batches; 1 = {@code random}
 */
public record Batching(int bucketBatches) {

    /** The authors' batching. */
    public static final Batching RANDOM = new Batching(1);
    /** What {@code bucket} without a size means: large enough that lengths in a batch are close, small enough to stay random. */
    public static final int DEFAULT_BUCKET_BATCHES = 50;

    public Batching {
        if (bucketBatches < 1) {
            throw new IllegalArgumentException("--batching bucket:" + bucketBatches + ": the bucket size must be at least 1 batch (e.g. bucket:50)");
        }
    }

    /** Buckets of {@code batches} batches. */
    public static Batching bucket(int batches) {
        return new Batching(batches);
    }

    public boolean isRandom() {
        return bucketBatches == 1;
    }

    /** As the flag spells it: {@code random} or {@code bucket:N}. */
    public String id() {
        return isRandom() ? "random" : "bucket:" + bucketBatches;
    }

    @Override
    public String toString() {
        return id();
    }

    /** Parses {@code random}, {@code bucket} (N = {@value #DEFAULT_BUCKET_BATCHES}) or {@code bucket:N}. */
    public static Batching parse(String s) {
        String v = s.trim().toLowerCase();
        if (v.equals("random")) return RANDOM;
        if (v.equals("bucket")) return bucket(DEFAULT_BUCKET_BATCHES);
        if (v.startsWith("bucket:")) {
            try {
                return bucket(Integer.parseInt(v.substring("bucket:".length())));
            } catch (NumberFormatException e) {
                // fall through to the one-line error
            }
        }
        throw new IllegalArgumentException("unknown --batching '" + s + "': use random (the authors') or bucket[:N] (length buckets of N batches, default "
                + DEFAULT_BUCKET_BATCHES + ")");
    }
}
