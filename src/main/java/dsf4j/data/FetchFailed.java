package dsf4j.data;

/**
 * A corpus could not be downloaded from any of its sources (no network, a server error, wrong bytes). Not bad
 * input: the message names every source tried, what went wrong with it, and what to do.
 */
public final class FetchFailed extends RuntimeException {

    FetchFailed(String message) {
        super(message);
    }
}
