package dsf4j.model;

/**
 * One batch of token ids, batch-major as PyTorch's [B, T]: {@code input[b*T + t]} predicts
 * {@code target[b*T + t]}. Targets equal to the model's pad id are ignored by the loss.
 */
public record Batch(int batch, int steps, int[] input, int[] target) {

    public Batch {
        if (batch < 1 || steps < 1) throw new IllegalArgumentException("empty batch: " + batch + " × " + steps);
        if (input.length != batch * steps || target.length != batch * steps) {
            throw new IllegalArgumentException("batch arrays must hold " + batch + " × " + steps + " ids");
        }
    }

    /** B·T: the cells the engine computes, padding included. */
    public int tokenCount() {
        return batch * steps;
    }

    /** The targets the loss sees: those that are not {@code padId}. */
    public int targetCount(int padId) {
        int n = 0;
        for (int t : target) if (t != padId) n++;
        return n;
    }
}
