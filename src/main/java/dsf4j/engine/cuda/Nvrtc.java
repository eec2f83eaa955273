package dsf4j.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static dsf4j.engine.cuda.Native.PTR;
import static dsf4j.engine.cuda.Native.bind;
import static dsf4j.engine.cuda.Native.invoke;
import static dsf4j.engine.cuda.Native.status;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** NVRTC, the run-time CUDA C++ compiler (libnvrtc.so.13 or .12), bound by hand. */
final class Nvrtc {

    static final String LIB = "libnvrtc";

    private final MethodHandle version, create, compile, logSize, log, cubinSize, cubin, destroy;

    Nvrtc(SymbolLookup lib) {
        version = bind(lib, LIB, status(PTR, PTR), "nvrtcVersion");
        create = bind(lib, LIB, status(PTR, PTR, PTR, JAVA_INT, PTR, PTR), "nvrtcCreateProgram");
        compile = bind(lib, LIB, status(PTR, JAVA_INT, PTR), "nvrtcCompileProgram");
        logSize = bind(lib, LIB, status(PTR, PTR), "nvrtcGetProgramLogSize");
        log = bind(lib, LIB, status(PTR, PTR), "nvrtcGetProgramLog");
        cubinSize = bind(lib, LIB, status(PTR, PTR), "nvrtcGetCUBINSize");
        cubin = bind(lib, LIB, status(PTR, PTR), "nvrtcGetCUBIN");
        destroy = bind(lib, LIB, status(PTR), "nvrtcDestroyProgram");
    }

    /** "major.minor". */
    String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ma = a.allocate(JAVA_INT), mi = a.allocate(JAVA_INT);
            Status.checkNvrtc("nvrtcVersion", invoke(() -> (int) version.invokeExact(ma, mi)));
            return ma.get(JAVA_INT, 0) + "." + mi.get(JAVA_INT, 0);
        }
    }

    /**
     * Compiles one CUDA C++ source to a CUBIN.
     *
     * @param options e.g. --gpu-architecture=sm_90
     * @throws CudaException with the compiler's log when compilation fails
     */
    byte[] compileToCubin(String source, String name, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(PTR);
            MemorySegment src = a.allocateFrom(source), nm = a.allocateFrom(name);
            Status.checkNvrtc("nvrtcCreateProgram", invoke(() -> (int) create.invokeExact(progOut, src, nm, 0, MemorySegment.NULL, MemorySegment.NULL)));
            MemorySegment prog = progOut.get(PTR, 0);
            try {
                MemorySegment opts = a.allocate(PTR, options.size());
                for (int i = 0; i < options.size(); i++) opts.setAtIndex(PTR, i, a.allocateFrom(options.get(i)));
                int rc = invoke(() -> (int) compile.invokeExact(prog, options.size(), opts));
                if (rc != 0) throw new CudaException("nvrtcCompileProgram(" + name + ", " + String.join(" ", options) + ")", rc, Status.nvrtcName(rc), log(a, prog));
                MemorySegment size = a.allocate(JAVA_LONG);
                Status.checkNvrtc("nvrtcGetCUBINSize", invoke(() -> (int) cubinSize.invokeExact(prog, size)));
                long n = size.get(JAVA_LONG, 0);
                MemorySegment out = a.allocate(n);
                Status.checkNvrtc("nvrtcGetCUBIN", invoke(() -> (int) cubin.invokeExact(prog, out)));
                return out.toArray(JAVA_BYTE);
            } finally {
                invoke(() -> (int) destroy.invokeExact(progOut));
            }
        }
    }

    private String log(Arena a, MemorySegment prog) {
        MemorySegment size = a.allocate(JAVA_LONG);
        if (invoke(() -> (int) logSize.invokeExact(prog, size)) != 0) return "(no log)";
        MemorySegment text = a.allocate(size.get(JAVA_LONG, 0) + 1);
        if (invoke(() -> (int) log.invokeExact(prog, text)) != 0) return "(no log)";
        return text.getString(0);
    }
}
