package dsf4j.io;

/**
 * A tensor whose bytes do not give the CRC-32C its file records (bit rot, a bad copy, an edit): bad input, refused.
 * The message names the file, the tensor and both checksums.
 */
public final class ChecksumMismatch extends IllegalArgumentException {

    private final String tensor, problem;

    /** @param problem the file, the tensor and both checksums, without the advice the message ends with */
    ChecksumMismatch(String problem, String tensor) {
        super(problem + "; use an earlier copy");
        this.problem = problem;
        this.tensor = tensor;
    }

    /** The message without its advice, for a caller that knows better what to use instead. */
    public String problem() {
        return problem;
    }

    /** The damaged tensor's name. */
    public String tensor() {
        return tensor;
    }
}
