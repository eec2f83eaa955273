package dsf4j.engine.cuda;

/**
 * The cuda engine cannot start here: a library or the GPU is missing. An IllegalArgumentException,
 * so the command line prints its one-line message (what is missing, and the fix) and exits 2.
 */
public final class CudaUnavailableException extends IllegalArgumentException {
    public CudaUnavailableException(String message) {
        super(message);
    }
}
