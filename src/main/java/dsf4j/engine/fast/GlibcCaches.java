package dsf4j.engine.fast;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.function.IntToLongFunction;

/**
 * The caches as glibc's {@code sysconf(_SC_LEVEL1_DCACHE_SIZE)} and friends report them (what
 * {@code getconf -a | grep CACHE} prints): on x86 glibc asks the CPU itself (CPUID leaf 4 on Intel,
 * 0x8000001D on AMD), so it answers on the cloud VMs whose kernel exposes no
 * {@code /sys/devices/system/cpu/cpu0/cache} (a Zen 5 EPYC of 2026-12-02: sysfs empty, sysconf 48 KiB
 * 12-way L1d, 1 MiB 8-way L2). Called through Panama's {@link Linker}, no process spawned.
 *
 * <p>Only on Linux with glibc (found by its {@code gnu_get_libc_version} symbol): the {@code _SC_LEVEL*}
 * numbers below are glibc's ({@code bits/confname.h}); another libc may give them other meanings.
 */
final class GlibcCaches {

    private GlibcCaches() {}

    /** glibc's {@code _SC_LEVEL1_DCACHE_SIZE} … {@code _SC_LEVEL3_CACHE_ASSOC}, from {@code bits/confname.h}. */
    static final int L1D_SIZE = 188, L1D_ASSOC = 189, L2_SIZE = 191, L2_ASSOC = 192, L3_SIZE = 194, L3_ASSOC = 195;

    /** {@code sysconf} as a function of its argument; -1 where there is no glibc to ask, or the call fails. */
    static IntToLongFunction sysconf() {
        Optional<MethodHandle> h = handle();
        return name -> {
            if (h.isEmpty()) return -1;
            try {
                return (long) h.get().invokeExact(name);
            } catch (Throwable e) {
                return -1;
            }
        };
    }

    private static Optional<MethodHandle> handle() {
        if (!System.getProperty("os.name", "").equals("Linux")) return Optional.empty();
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            if (libc.find("gnu_get_libc_version").isEmpty()) return Optional.empty();
            return libc.find("sysconf").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();                            // no native access granted, or no linker on this platform
        }
    }
}
