package dsf4j.train;

/**
 * What a run does when something goes wrong that the user may want to ride out: a non-finite loss
 * or gradient norm ({@code --on-nan}), a checkpoint that cannot be written ({@code --on-save-error}).
 * Neither changes the numbers of a run that meets no fault, so neither is part of {@link TrainConfig}
 * and both may be changed on {@code --resume}.
 */
public record FaultPolicy(OnNan onNan, OnSaveError onSaveError) {

    /** Stop on either fault: the safe default. */
    public static final FaultPolicy DEFAULT = new FaultPolicy(OnNan.STOP, OnSaveError.STOP);

    public FaultPolicy {
        if (onNan == null || onSaveError == null) throw new IllegalArgumentException("incomplete fault policy: give --on-nan and --on-save-error");
    }

    /** A NaN or ±∞ loss or gradient norm. */
    public enum OnNan {
        /** Stop with the step number; the weights are not updated and the last good state is saved. */
        STOP,
        /** Skip that update (the batch is consumed, the weights and Adam are untouched) and count it. */
        SKIP;

        public static OnNan parse(String s) {
            for (OnNan v : values()) if (v.name().equalsIgnoreCase(s.trim())) return v;
            throw new IllegalArgumentException("unknown --on-nan '" + s + "': use stop or skip");
        }
    }

    /** An I/O error (a full disk, a lost mount) while writing a checkpoint; the previous one is intact either way. */
    public enum OnSaveError {
        /** Stop, naming the error and the checkpoint to resume from. */
        STOP,
        /** Warn and keep training; the next checkpoint tries again. */
        CONTINUE;

        public static OnSaveError parse(String s) {
            for (OnSaveError v : values()) if (v.name().equalsIgnoreCase(s.trim())) return v;
            throw new IllegalArgumentException("unknown --on-save-error '" + s + "': use stop or continue");
        }
    }
}
