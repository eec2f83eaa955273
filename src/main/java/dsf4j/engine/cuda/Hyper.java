package dsf4j.engine.cuda;

/**
 * The optimizer's hyper-parameters as the loss and Adam kernels read them: one float each in the
 * device array {@code Workspace.hyper}, at the index of its ordinal. loss.cu names the same indices
 * {@code HYPER_<NAME>} (HyperTest holds the two together), so neither side uses a bare number.
 */
enum Hyper {
    /** 1 / the number of non-pad targets of the batch (the mean's scale). */
    INV_COUNT,
    LR,
    BETA1,
    BETA2,
    EPS,
    WEIGHT_DECAY,
    /** 1 − β₁^t. */
    BIAS_CORRECTION1,
    /** 1 − β₂^t. */
    BIAS_CORRECTION2,
    /** 1 for AdamW's decoupled decay, 0 for Adam's coupled L2. */
    DECOUPLED,
    /** The global gradient-norm limit (0: no clipping). */
    MAX_NORM;

    /** The length of the device array. */
    static final int COUNT = values().length;

    /** values[this] = value. */
    void set(float[] values, double value) {
        values[ordinal()] = (float) value;
    }
}
