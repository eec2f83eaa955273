package dsf4j.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static dsf4j.engine.cuda.Native.PTR;
import static dsf4j.engine.cuda.Native.bind;
import static dsf4j.engine.cuda.Native.invoke;
import static dsf4j.engine.cuda.Native.status;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The CUDA driver API calls dsf4j uses (libcuda.so.1), bound by hand. Every method checks the
 * CUresult and throws {@link CudaException} naming the call. Handles (context, stream, event, module,
 * function, graph) are opaque pointers held as MemorySegments; device pointers (CUdeviceptr) are longs.
 */
final class Driver {

    static final String LIB = "libcuda.so.1";
    static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    static final int ATTR_CC_MAJOR = 75;
    static final int ATTR_CC_MINOR = 76;
    /** CU_STREAM_CAPTURE_MODE_THREAD_LOCAL: only this thread's unsafe calls break the capture. */
    static final int CAPTURE_THREAD_LOCAL = 1;
    static final int STREAM_NON_BLOCKING = 1;

    private final MethodHandle init, driverGetVersion, deviceGet, deviceGetName, deviceGetAttribute, deviceTotalMem,
            primaryCtxRetain, ctxSetCurrent, memAlloc, memFree, memGetInfo, memcpyHtoDAsync, memcpyDtoHAsync,
            memcpyDtoDAsync, memsetD32Async, streamCreate, streamDestroy, streamSynchronize, eventCreate, eventRecord,
            eventSynchronize, eventElapsedTime, eventDestroy, moduleLoadData, moduleGetFunction, launchKernel,
            streamBeginCapture, streamEndCapture, graphInstantiate, graphLaunch, graphDestroy, graphExecDestroy,
            getErrorName;

    Driver(SymbolLookup lib) {
        init = bind(lib, LIB, status(JAVA_INT), "cuInit");
        driverGetVersion = bind(lib, LIB, status(PTR), "cuDriverGetVersion");
        deviceGet = bind(lib, LIB, status(PTR, JAVA_INT), "cuDeviceGet");
        deviceGetName = bind(lib, LIB, status(PTR, JAVA_INT, JAVA_INT), "cuDeviceGetName");
        deviceGetAttribute = bind(lib, LIB, status(PTR, JAVA_INT, JAVA_INT), "cuDeviceGetAttribute");
        deviceTotalMem = bind(lib, LIB, status(PTR, JAVA_INT), "cuDeviceTotalMem_v2");
        primaryCtxRetain = bind(lib, LIB, status(PTR, JAVA_INT), "cuDevicePrimaryCtxRetain");
        ctxSetCurrent = bind(lib, LIB, status(PTR), "cuCtxSetCurrent");
        memAlloc = bind(lib, LIB, status(PTR, JAVA_LONG), "cuMemAlloc_v2");
        memFree = bind(lib, LIB, status(JAVA_LONG), "cuMemFree_v2");
        memGetInfo = bind(lib, LIB, status(PTR, PTR), "cuMemGetInfo_v2");
        memcpyHtoDAsync = bind(lib, LIB, status(JAVA_LONG, PTR, JAVA_LONG, PTR), "cuMemcpyHtoDAsync_v2");
        memcpyDtoHAsync = bind(lib, LIB, status(PTR, JAVA_LONG, JAVA_LONG, PTR), "cuMemcpyDtoHAsync_v2");
        memcpyDtoDAsync = bind(lib, LIB, status(JAVA_LONG, JAVA_LONG, JAVA_LONG, PTR), "cuMemcpyDtoDAsync_v2");
        memsetD32Async = bind(lib, LIB, status(JAVA_LONG, JAVA_INT, JAVA_LONG, PTR), "cuMemsetD32Async");
        streamCreate = bind(lib, LIB, status(PTR, JAVA_INT), "cuStreamCreate");
        streamDestroy = bind(lib, LIB, status(PTR), "cuStreamDestroy_v2");
        streamSynchronize = bind(lib, LIB, status(PTR), "cuStreamSynchronize");
        eventCreate = bind(lib, LIB, status(PTR, JAVA_INT), "cuEventCreate");
        eventRecord = bind(lib, LIB, status(PTR, PTR), "cuEventRecord");
        eventSynchronize = bind(lib, LIB, status(PTR), "cuEventSynchronize");
        eventElapsedTime = bind(lib, LIB, status(PTR, PTR, PTR), "cuEventElapsedTime_v2", "cuEventElapsedTime");
        eventDestroy = bind(lib, LIB, status(PTR), "cuEventDestroy_v2");
        moduleLoadData = bind(lib, LIB, status(PTR, PTR), "cuModuleLoadData");
        moduleGetFunction = bind(lib, LIB, status(PTR, PTR, PTR), "cuModuleGetFunction");
        launchKernel = bind(lib, LIB, status(PTR, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, PTR, PTR, PTR), "cuLaunchKernel");
        streamBeginCapture = bind(lib, LIB, status(PTR, JAVA_INT), "cuStreamBeginCapture_v2");
        streamEndCapture = bind(lib, LIB, status(PTR, PTR), "cuStreamEndCapture");
        graphInstantiate = bind(lib, LIB, status(PTR, PTR, JAVA_LONG), "cuGraphInstantiateWithFlags");
        graphLaunch = bind(lib, LIB, status(PTR, PTR), "cuGraphLaunch");
        graphDestroy = bind(lib, LIB, status(PTR), "cuGraphDestroy");
        graphExecDestroy = bind(lib, LIB, status(PTR), "cuGraphExecDestroy");
        getErrorName = bind(lib, LIB, status(JAVA_INT, PTR), "cuGetErrorName");
    }

    /** Checks a CUresult, naming the code by the driver's own table when it has one. */
    private void check(String call, int code) {
        if (code == 0) return;
        String name = Status.driverName(code);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(PTR);
            if ((int) getErrorName.invokeExact(code, p) == 0) name = Native.string(p.get(PTR, 0));
        } catch (Throwable t) {
            // keep the table's name
        }
        throw new CudaException(call, code, name, null);
    }

    void init() {
        check("cuInit", invoke(() -> (int) init.invokeExact(0)));
    }

    /** e.g. 13000 for CUDA 13.0. */
    int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDriverGetVersion", invoke(() -> (int) driverGetVersion.invokeExact(v)));
            return v.get(JAVA_INT, 0);
        }
    }

    int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment d = a.allocate(JAVA_INT);
            check("cuDeviceGet", invoke(() -> (int) deviceGet.invokeExact(d, ordinal)));
            return d.get(JAVA_INT, 0);
        }
    }

    String deviceName(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(256);
            check("cuDeviceGetName", invoke(() -> (int) deviceGetName.invokeExact(s, 256, dev)));
            return s.getString(0);
        }
    }

    int attribute(int dev, int attr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDeviceGetAttribute", invoke(() -> (int) deviceGetAttribute.invokeExact(v, attr, dev)));
            return v.get(JAVA_INT, 0);
        }
    }

    long totalMemory(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check("cuDeviceTotalMem_v2", invoke(() -> (int) deviceTotalMem.invokeExact(v, dev)));
            return v.get(JAVA_LONG, 0);
        }
    }

    /** The device's primary context (retained; lives as long as the process). */
    MemorySegment primaryContext(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = a.allocate(PTR);
            check("cuDevicePrimaryCtxRetain", invoke(() -> (int) primaryCtxRetain.invokeExact(c, dev)));
            return c.get(PTR, 0);
        }
    }

    void setCurrent(MemorySegment ctx) {
        check("cuCtxSetCurrent", invoke(() -> (int) ctxSetCurrent.invokeExact(ctx)));
    }

    long malloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            int rc = invoke(() -> (int) memAlloc.invokeExact(p, Math.max(bytes, 4L)));
            if (rc != 0) {
                check("cuMemAlloc_v2 of " + bytes + " bytes (" + freeMemory() / (1 << 20) + " MiB free)", rc);
            }
            return p.get(JAVA_LONG, 0);
        }
    }

    void free(long ptr) {
        check("cuMemFree_v2", invoke(() -> (int) memFree.invokeExact(ptr)));
    }

    long freeMemory() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(JAVA_LONG), t = a.allocate(JAVA_LONG);
            int rc = invoke(() -> (int) memGetInfo.invokeExact(f, t));
            return rc == 0 ? f.get(JAVA_LONG, 0) : -1;
        }
    }

    void copyHtoD(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        check("cuMemcpyHtoDAsync_v2", invoke(() -> (int) memcpyHtoDAsync.invokeExact(dst, src, bytes, stream)));
    }

    void copyDtoH(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoHAsync_v2", invoke(() -> (int) memcpyDtoHAsync.invokeExact(dst, src, bytes, stream)));
    }

    void copyDtoD(long dst, long src, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoDAsync_v2", invoke(() -> (int) memcpyDtoDAsync.invokeExact(dst, src, bytes, stream)));
    }

    /** Sets {@code count} 32-bit words at {@code ptr} to {@code value} (0 for float zeros). */
    void memset32(long ptr, int value, long count, MemorySegment stream) {
        check("cuMemsetD32Async", invoke(() -> (int) memsetD32Async.invokeExact(ptr, value, count, stream)));
    }

    MemorySegment createStream() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(PTR);
            check("cuStreamCreate", invoke(() -> (int) streamCreate.invokeExact(s, STREAM_NON_BLOCKING)));
            return s.get(PTR, 0);
        }
    }

    void destroyStream(MemorySegment s) {
        check("cuStreamDestroy_v2", invoke(() -> (int) streamDestroy.invokeExact(s)));
    }

    void synchronize(MemorySegment stream) {
        check("cuStreamSynchronize", invoke(() -> (int) streamSynchronize.invokeExact(stream)));
    }

    MemorySegment createEvent() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(PTR);
            check("cuEventCreate", invoke(() -> (int) eventCreate.invokeExact(e, 0)));
            return e.get(PTR, 0);
        }
    }

    void record(MemorySegment event, MemorySegment stream) {
        check("cuEventRecord", invoke(() -> (int) eventRecord.invokeExact(event, stream)));
    }

    void synchronizeEvent(MemorySegment event) {
        check("cuEventSynchronize", invoke(() -> (int) eventSynchronize.invokeExact(event)));
    }

    /** Milliseconds between two recorded events. */
    float elapsed(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            check("cuEventElapsedTime", invoke(() -> (int) eventElapsedTime.invokeExact(ms, start, end)));
            return ms.get(JAVA_FLOAT, 0);
        }
    }

    void destroyEvent(MemorySegment e) {
        check("cuEventDestroy_v2", invoke(() -> (int) eventDestroy.invokeExact(e)));
    }

    /** Loads a CUBIN or PTX image. */
    MemorySegment loadModule(byte[] image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L);
            MemorySegment.copy(image, 0, img, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, image.length);
            MemorySegment m = a.allocate(PTR);
            check("cuModuleLoadData", invoke(() -> (int) moduleLoadData.invokeExact(m, img)));
            return m.get(PTR, 0);
        }
    }

    MemorySegment function(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(PTR);
            MemorySegment n = a.allocateFrom(name);
            check("cuModuleGetFunction(" + name + ")", invoke(() -> (int) moduleGetFunction.invokeExact(f, module, n)));
            return f.get(PTR, 0);
        }
    }

    /**
     * @param params void*[] of pointers to each argument's value (kernelParams)
     */
    void launch(String name, MemorySegment fn, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                MemorySegment stream, MemorySegment params) {
        int rc = invoke(() -> (int) launchKernel.invokeExact(fn, gx, gy, gz, bx, by, bz, sharedBytes, stream, params, MemorySegment.NULL));
        if (rc != 0) check("cuLaunchKernel(" + name + ", grid " + gx + "×" + gy + "×" + gz + ", block " + bx + "×" + by + "×" + bz + ")", rc);
    }

    void beginCapture(MemorySegment stream) {
        check("cuStreamBeginCapture_v2", invoke(() -> (int) streamBeginCapture.invokeExact(stream, CAPTURE_THREAD_LOCAL)));
    }

    /** Ends a capture and returns the graph. */
    MemorySegment endCapture(MemorySegment stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment g = a.allocate(PTR);
            check("cuStreamEndCapture", invoke(() -> (int) streamEndCapture.invokeExact(stream, g)));
            return g.get(PTR, 0);
        }
    }

    MemorySegment instantiate(MemorySegment graph) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(PTR);
            check("cuGraphInstantiateWithFlags", invoke(() -> (int) graphInstantiate.invokeExact(e, graph, 0L)));
            return e.get(PTR, 0);
        }
    }

    void launchGraph(MemorySegment exec, MemorySegment stream) {
        check("cuGraphLaunch", invoke(() -> (int) graphLaunch.invokeExact(exec, stream)));
    }

    void destroyGraph(MemorySegment graph) {
        check("cuGraphDestroy", invoke(() -> (int) graphDestroy.invokeExact(graph)));
    }

    void destroyGraphExec(MemorySegment exec) {
        check("cuGraphExecDestroy", invoke(() -> (int) graphExecDestroy.invokeExact(exec)));
    }
}
