package dsf4j.collective;

/**
 * A failure that every process of a job knows of at the same point of the run (a vote at the start,
 * a stop that all of them reached together), so that none waits for another: each ends with
 * {@link #status()}, and only the processes that have something to say print: rank 0 for a failure
 * they all share, a process whose own failure differs from the others' with its rank in front.
 *
 * @param cause  what this process would report; null for a process that is ending because of another's failure
 * @param report whether this process prints the failure
 * @param prefix put before the message (e.g. "rank 1 of 2: "), or ""
 * @param status the exit status: 2 for bad input, 1 otherwise
 */
public final class JobFailure extends RuntimeException {

    private final boolean report;
    private final String prefix;
    private final int status;

    public JobFailure(Throwable cause, boolean report, String prefix, int status) {
        super(cause == null ? "another process of the job failed" : cause.getMessage(), cause);
        this.report = report && cause != null;
        this.prefix = prefix;
        this.status = status;
    }

    public boolean report() {
        return report;
    }

    public String prefix() {
        return prefix;
    }

    public int status() {
        return status;
    }
}
