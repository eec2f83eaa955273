package dsf4j.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Where a run stands, saved in every checkpoint so that {@code --resume} continues bit-identically.
 * Training draws no random numbers beyond the batch order, which the data derives from (seed, epoch):
 * the seed (in the config) and the position below are the whole random state.
 *
 * @param step           optimizer steps done
 * @param epoch          the epoch of the next batch (0-based)
 * @param batchIndex     the index of the next batch in that epoch's order
 * @param bestValidLoss  the lowest validation loss so far (+∞ before the first validation)
 * @param bestStep       the step at which it was measured
 * @param elapsedSeconds wall time spent training so far, over every session of the run
 * @param skippedUpdates steps whose update was skipped for a non-finite loss or gradient ({@code --on-nan skip})
 */
public record TrainState(long step, int epoch, int batchIndex, double bestValidLoss, long bestStep, double elapsedSeconds, long skippedUpdates) {

    public static final TrainState START = new TrainState(0, 0, 0, Double.POSITIVE_INFINITY, -1, 0, 0);

    /** A state of a run that skipped no update. */
    public TrainState(long step, int epoch, int batchIndex, double bestValidLoss, long bestStep, double elapsedSeconds) {
        this(step, epoch, batchIndex, bestValidLoss, bestStep, elapsedSeconds, 0);
    }

    String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("step", step);
        o.addProperty("epoch", epoch);
        o.addProperty("batch_index", batchIndex);
        o.addProperty("best_valid_loss", Double.isFinite(bestValidLoss) ? Double.toString(bestValidLoss) : "inf");
        o.addProperty("best_step", bestStep);
        o.addProperty("elapsed_s", elapsedSeconds);
        o.addProperty("skipped_updates", skippedUpdates);
        o.addProperty("rng", "batch order drawn from (seed, epoch); no other random state");
        return o.toString();
    }

    static TrainState fromJson(String json) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            String best = o.get("best_valid_loss").getAsString();
            return new TrainState(o.get("step").getAsLong(), o.get("epoch").getAsInt(), o.get("batch_index").getAsInt(),
                    best.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(best), o.get("best_step").getAsLong(),
                    o.get("elapsed_s").getAsDouble(), o.has("skipped_updates") ? o.get("skipped_updates").getAsLong() : 0);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the checkpoint's 'state' metadata is malformed: the checkpoint is damaged or was not written by dsf4j");
        }
    }
}
