package dsf4j.train;

/**
 * A request, from another thread (a signal handler, a test), that training stop after the current
 * step: the {@link Trainer} finishes the step, writes {@code last.safetensors} and returns.
 */
public final class StopRequest {

    private volatile String reason;

    /** Asks the run to stop; {@code why} (e.g. "SIGTERM") is reported. Later requests keep the first reason. */
    public void request(String why) {
        if (reason == null) reason = why;
    }

    public boolean requested() {
        return reason != null;
    }

    /** Why the stop was requested, or null. */
    public String reason() {
        return reason;
    }
}
