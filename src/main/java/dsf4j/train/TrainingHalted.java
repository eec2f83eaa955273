package dsf4j.train;

/**
 * A run that stopped on a fault that is not a bug (a non-finite loss, a checkpoint that could not be
 * written): its message is one line for the user, naming the step, what is saved and how to go on.
 */
public final class TrainingHalted extends IllegalStateException {

    public TrainingHalted(String message, Throwable cause) {
        super(message, cause);
    }
}
