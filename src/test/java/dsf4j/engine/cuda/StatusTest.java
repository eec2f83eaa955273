package dsf4j.engine.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Status codes become exceptions that name the call and the code. */
class StatusTest {

    @Test
    void driverCodesHaveTheirCudaHNames() {
        assertEquals("CUDA_SUCCESS", Status.driverName(0));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", Status.driverName(2));
        assertEquals("CUDA_ERROR_NO_DEVICE", Status.driverName(100));
        assertEquals("CUDA_ERROR_INVALID_PTX", Status.driverName(218));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", Status.driverName(700));
        assertEquals("CUDA_ERROR_STREAM_CAPTURE_INVALIDATED", Status.driverName(901));
        assertEquals("CUDA_ERROR_UNKNOWN", Status.driverName(999));
        assertEquals("CUDA_ERROR_12345", Status.driverName(12345));
    }

    @Test
    void nvrtcAndCublasCodesHaveTheirNames() {
        assertEquals("NVRTC_ERROR_COMPILATION", Status.nvrtcName(6));
        assertEquals("NVRTC_ERROR_INVALID_OPTION", Status.nvrtcName(5));
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", Status.cublasName(7));
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", Status.cublasName(13));
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", Status.cublasName(15));
    }

    @Test
    void aFailedCallThrowsNamingTheCallAndTheCode() {
        assertDoesNotThrow(() -> Status.checkDriver("cuInit", 0));
        CudaException e = assertThrows(CudaException.class, () -> Status.checkDriver("cuMemAlloc_v2", 2));
        assertEquals("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)", e.getMessage());
        assertEquals("cuMemAlloc_v2", e.call());
        assertEquals(2, e.code());
        assertEquals("cublasGemmEx failed: CUBLAS_STATUS_INVALID_VALUE (7)",
                assertThrows(CudaException.class, () -> Status.checkCublas("cublasGemmEx", 7)).getMessage());
        assertEquals("nvrtcCompileProgram failed: NVRTC_ERROR_COMPILATION (6)",
                assertThrows(CudaException.class, () -> Status.checkNvrtc("nvrtcCompileProgram", 6)).getMessage());
    }
}
