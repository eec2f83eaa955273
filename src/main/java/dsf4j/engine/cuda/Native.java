package dsf4j.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** The few java.lang.foreign helpers the bindings share: open a library, bind a function, call it. */
final class Native {

    private Native() {}

    static final Linker LINKER = Linker.nativeLinker();

    /** int f(...) with the given argument layouts: every CUDA, NVRTC and cuBLAS call returns a status int. */
    static FunctionDescriptor status(java.lang.foreign.MemoryLayout... args) {
        return FunctionDescriptor.of(JAVA_INT, args);
    }

    /**
     * Opens a library by absolute path, first opening its companion libraries from the same folder
     * ({@link LibraryFinder#companion}: libcublasLt for libcublas, libnvrtc-builtins for libnvrtc), so
     * that they resolve by soname even when their folder is not on the loader's path.
     */
    static SymbolLookup open(Path file, String... companions) {
        for (String prefix : companions) {
            // a missing companion shows up as a clear error when the main library is opened or used
            LibraryFinder.companion(file, prefix).ifPresent(p -> SymbolLookup.libraryLookup(p, Arena.global()));
        }
        return SymbolLookup.libraryLookup(file, Arena.global());
    }

    /**
     * Binds the first of {@code names} the library exports (newer versioned names first, e.g.
     * cuEventElapsedTime_v2 then cuEventElapsedTime).
     */
    static MethodHandle bind(SymbolLookup lib, String library, FunctionDescriptor fd, String... names) {
        for (String n : names) {
            var sym = lib.find(n);
            if (sym.isPresent()) return LINKER.downcallHandle(sym.get(), fd);
        }
        throw new IllegalStateException(library + " exports none of " + String.join(", ", names) + ": the library is too old or not " + library);
    }

    /** A C string's contents, or "" for NULL. */
    static String string(MemorySegment cstr) {
        if (cstr.equals(MemorySegment.NULL)) return "";
        return cstr.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** A call into native code that returns a status int. */
    @FunctionalInterface
    interface IntCall {
        int call() throws Throwable;
    }

    /** Runs a downcall, rethrowing what a MethodHandle declares as Throwable unchecked. */
    static int invoke(IntCall c) {
        try {
            return c.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static final java.lang.foreign.AddressLayout PTR = ADDRESS;
}
