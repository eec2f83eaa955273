package dsf4j.engine.cuda;

/**
 * A failed CUDA driver, NVRTC or cuBLAS call: names the library, the call and the status code's
 * symbolic name, e.g. {@code cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)}.
 */
public final class CudaException extends RuntimeException {

    private final String call;
    private final int code;

    public CudaException(String call, int code, String codeName, String detail) {
        super(call + " failed: " + codeName + " (" + code + ")" + (detail == null || detail.isBlank() ? "" : ": " + detail));
        this.call = call;
        this.code = code;
    }

    /** The C function that failed, e.g. {@code cuLaunchKernel}. */
    public String call() {
        return call;
    }

    /** The status code it returned. */
    public int code() {
        return code;
    }
}
