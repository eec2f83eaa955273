package dsf4j.train;

import java.util.function.Consumer;

/**
 * A request, from another thread (a signal handler, a test), that training stop after the current
 * step: the {@link Trainer} finishes the step, writes {@code last.safetensors} and returns.
 */
public final class StopRequest {

    private volatile String reason;
    private volatile Consumer<String> onRequest;

    /**
     * Asks the run to stop; {@code why} (e.g. "SIGTERM") is reported. Later requests keep the first reason.
     * The {@link #onRequest} action, when there is one, runs now, on the requesting thread.
     */
    public void request(String why) {
        if (reason == null) reason = why;
        Consumer<String> action = onRequest;
        if (action != null) action.accept(reason);
    }

    /**
     * Something to do at once when a stop is requested, on the requesting thread, instead of waiting for
     * the trainer to finish its step (a data-parallel run under a launcher, which kills the processes a
     * second after its signal); it runs now when a stop was already requested.
     */
    public void onRequest(Consumer<String> action) {
        this.onRequest = action;
        if (reason != null) action.accept(reason);
    }

    public boolean requested() {
        return reason != null;
    }

    /** Why the stop was requested, or null. */
    public String reason() {
        return reason;
    }
}
