package dsf4j.engine.fast;

import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.IntToLongFunction;

/**
 * What the GEMM's blocking model needs to know about the CPU it runs on: the data caches of one core,
 * the number of vector registers and how many independent FMAs must be in flight to hide their latency.
 *
 * <p>Linux: the caches are read from {@code /sys/devices/system/cpu/cpu0/cache/index*}/{level, type,
 * size, ways_of_associativity, shared_cpu_list} and the model name from {@code /proc/cpuinfo}. Where
 * sysfs says nothing (some cloud VMs) glibc's {@code sysconf} is asked ({@link GlibcCaches}: CPUID on
 * x86); it does not say which CPUs share the L3, so the fallback's 8 is assumed. Elsewhere a typical
 * current x86 core is assumed: {@link #FALLBACK}, 32 KiB 8-way L1d, 1 MiB 8-way L2, 32 MiB 16-way L3
 * shared by 8 cores; force the real sizes with {@code -Ddsf4j.cpu}.
 *
 * <p>{@code -Ddsf4j.cpu=l1d=32K,l2=1M,...} overrides any of: {@code l1d}, {@code l2}, {@code l3} (sizes,
 * with K/M/G), {@code l1d.ways}, {@code l2.ways}, {@code l3.ways}, {@code l3.shared} (CPUs sharing the L3),
 * {@code vregs} (vector registers) and {@code fma} (FMA latency × FMA units, the vector FMAs that must be
 * in flight). A size forced without its ways takes the fallback's ways (8, 8, 16). Example, a Zen 4
 * core modelled on any machine: {@code -Ddsf4j.cpu=l1d=32K,l2=1M}.
 *
 * @param model           the CPU's name, e.g. "AMD EPYC 9R14 (family 25 model 17)"
 * @param vectorRegisters 32 on AVX-512 and AArch64, 16 on AVX2
 * @param fmaInFlight     FMA latency in cycles × FMA pipes: the accumulators a micro-tile needs at least
 * @param source          where the figures come from: "sysfs", "sysconf", "fallback", plus "forced: …" for overrides
 */
public record CpuInfo(String model, Cache l1d, Cache l2, Cache l3, int vectorRegisters, int fmaInFlight, String source) {

    /** One cache level of one core: its size, associativity, and how many CPUs share it. */
    public record Cache(long bytes, int ways, int sharedBy) {
        public Cache {
            if (bytes <= 0 || ways <= 0 || sharedBy <= 0) throw new IllegalArgumentException("cache " + bytes + " B " + ways + "-way shared by " + sharedBy);
        }

        /** Bytes of one way: sets × line size. */
        public long wayBytes() {
            return bytes / ways;
        }

        @Override
        public String toString() {
            return formatBytes(bytes) + " " + ways + "-way";
        }
    }

    /** The assumed caches where none can be read: a typical current x86 core (Zen 4's: 32 MiB of L3 for 8 cores). */
    public static final CpuInfo FALLBACK = new CpuInfo("unknown CPU", new Cache(32 << 10, 8, 1), new Cache(1 << 20, 8, 1),
            new Cache(32 << 20, 16, 8), 16, 8, "fallback");

    private static final Path SYSFS = Path.of("/sys/devices/system/cpu/cpu0/cache");
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static volatile CpuInfo current;

    /** This machine's figures with {@code -Ddsf4j.cpu} applied; read once. */
    public static CpuInfo current() {
        CpuInfo c = current;
        if (c == null) {
            c = detect(SYSFS, CPUINFO, GlibcCaches.sysconf()).with(System.getProperty("dsf4j.cpu", ""));
            current = c;
        }
        return c;
    }

    /**
     * Reads the caches under {@code cacheDir} (sysfs layout), else from {@code sysconf} (glibc's
     * {@code _SC_LEVEL*} numbers, {@link GlibcCaches}), else the fallback; the model from {@code cpuinfo}.
     */
    static CpuInfo detect(Path cacheDir, Path cpuinfo, IntToLongFunction sysconf) {
        Cache[] caches = fromSysfs(cacheDir);
        String source = "sysfs";
        if (caches == null) {
            caches = fromSysconf(sysconf);
            source = "sysconf";
        }
        if (caches == null) {
            caches = new Cache[] {FALLBACK.l1d, FALLBACK.l2, FALLBACK.l3};
            source = "fallback";
        }
        return new CpuInfo(modelName(cpuinfo), caches[0], caches[1], caches[2], detectVectorRegisters(), detectFmaInFlight(), source);
    }

    /** {L1d, L2, L3} from a sysfs cache directory, the fallback's L3 when it has none; null when the L1d or L2 is missing. */
    private static Cache[] fromSysfs(Path cacheDir) {
        Cache[] found = new Cache[3];
        for (int i = 0; i < 8; i++) {
            Path d = cacheDir.resolve("index" + i);
            String level = read(d.resolve("level")), type = read(d.resolve("type")), size = read(d.resolve("size"));
            if (level == null || type == null || size == null || type.equals("Instruction")) continue;
            long bytes;
            try {
                bytes = parseSize(size);
            } catch (IllegalArgumentException e) {
                continue;
            }
            int ways = parsePositive(read(d.resolve("ways_of_associativity")), level.equals("3") ? 16 : 8);
            Cache c = new Cache(bytes, ways, sharedBy(read(d.resolve("shared_cpu_list"))));
            switch (level) {
                case "1" -> found[0] = c;
                case "2" -> found[1] = c;
                case "3" -> found[2] = c;
                default -> { }
            }
        }
        if (found[2] == null) found[2] = FALLBACK.l3;
        return found[0] != null && found[1] != null ? found : null;
    }

    /**
     * {L1d, L2, L3} from sysconf; null unless the L1d (4 KiB – 1 MiB) and an L2 at least as large are
     * reported. Ways that are 0 (glibc: fully associative or unknown) or do not divide the size take the
     * fallback's; the L3 is the fallback's when not reported, and its sharers always are (8).
     */
    static Cache[] fromSysconf(IntToLongFunction sysconf) {
        long l1 = sysconf.applyAsLong(GlibcCaches.L1D_SIZE), l2 = sysconf.applyAsLong(GlibcCaches.L2_SIZE);
        if (l1 < 4 << 10 || l1 > 1 << 20 || l2 < l1) return null;
        long l3 = sysconf.applyAsLong(GlibcCaches.L3_SIZE);
        Cache c3 = l3 >= l2 ? new Cache(l3, ways(l3, sysconf.applyAsLong(GlibcCaches.L3_ASSOC), FALLBACK.l3.ways), FALLBACK.l3.sharedBy) : FALLBACK.l3;
        return new Cache[] {new Cache(l1, ways(l1, sysconf.applyAsLong(GlibcCaches.L1D_ASSOC), FALLBACK.l1d.ways), 1),
                new Cache(l2, ways(l2, sysconf.applyAsLong(GlibcCaches.L2_ASSOC), FALLBACK.l2.ways), 1), c3};
    }

    private static int ways(long bytes, long reported, int dflt) {
        return reported > 0 && reported <= 64 && bytes % reported == 0 ? (int) reported : dflt;
    }

    /**
     * Applies an override such as {@code l1d=32K,l1d.ways=8,l2=1M,vregs=16} (see the class comment); an
     * empty one changes nothing.
     *
     * @throws IllegalArgumentException naming the bad entry and the accepted keys
     */
    public CpuInfo with(String override) {
        if (override == null || override.isBlank()) return this;
        long[] size = {l1d.bytes, l2.bytes, l3.bytes};
        int[] ways = {l1d.ways, l2.ways, l3.ways};
        boolean[] sizeForced = new boolean[3], waysForced = new boolean[3];
        int l3Shared = l3.sharedBy, regs = vectorRegisters, fma = fmaInFlight;
        for (String entry : override.split(",")) {
            String[] kv = entry.split("=", 2);
            String key = kv[0].strip().toLowerCase(Locale.ROOT);
            if (kv.length != 2 || kv[1].isBlank()) throw badOverride(override, "'" + entry.strip() + "' is not key=value");
            String v = kv[1].strip();
            try {
                switch (key) {
                    case "l1d", "l2", "l3" -> {
                        int i = key.equals("l1d") ? 0 : key.charAt(1) - '2' + 1;
                        size[i] = parseSize(v);
                        sizeForced[i] = true;
                    }
                    case "l1d.ways", "l2.ways", "l3.ways" -> {
                        int i = key.startsWith("l1d") ? 0 : key.charAt(1) - '2' + 1;
                        ways[i] = parsePositive(v, -1);
                        waysForced[i] = true;
                    }
                    case "l3.shared" -> l3Shared = parsePositive(v, -1);
                    case "vregs" -> regs = parsePositive(v, -1);
                    case "fma" -> fma = parsePositive(v, -1);
                    default -> throw badOverride(override, "unknown key '" + kv[0].strip() + "'");
                }
            } catch (NumberFormatException e) {
                throw badOverride(override, "'" + v + "' is not a number for " + key);
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith("-Ddsf4j.cpu=") ? e : badOverride(override, e.getMessage());
            }
        }
        Cache[] fb = {FALLBACK.l1d, FALLBACK.l2, FALLBACK.l3};
        Cache[] out = new Cache[3];
        for (int i = 0; i < 3; i++) {
            int w = waysForced[i] || !sizeForced[i] ? ways[i] : fb[i].ways;
            if (w <= 0 || size[i] < 1024 || size[i] % w != 0) throw badOverride(override, formatBytes(size[i]) + " in " + w + " ways is not a cache");
            out[i] = new Cache(size[i], w, i == 2 ? l3Shared : (i == 0 ? l1d : l2).sharedBy);
        }
        if (out[0].bytes > out[1].bytes) throw badOverride(override, "the L1d (" + formatBytes(out[0].bytes) + ") is larger than the L2 (" + formatBytes(out[1].bytes) + ")");
        if (regs < 8 || regs > 64) throw badOverride(override, "vregs must be 8 to 64");
        if (fma > 64) throw badOverride(override, "fma must be 1 to 64");
        return new CpuInfo(model, out[0], out[1], out[2], regs, fma, source + ", forced: " + override.strip());
    }

    private static IllegalArgumentException badOverride(String override, String why) {
        return new IllegalArgumentException("-Ddsf4j.cpu=" + override + ": " + why
                + "; use e.g. -Ddsf4j.cpu=l1d=32K,l2=1M (keys: l1d, l2, l3, l1d.ways, l2.ways, l3.ways, l3.shared, vregs, fma)");
    }

    /** e.g. "Intel(R) Xeon(R) Processor (family 6 model 207): L1d 48 KiB 12-way, L2 2 MiB 16-way, L3 300 MiB 20-way (2 CPUs), 32 vector registers [sysfs]". */
    public String describe() {
        return String.format(Locale.ROOT, "%s: L1d %s, L2 %s, L3 %s (%d CPU%s), %d vector registers [%s]", model, l1d, l2, l3,
                l3.sharedBy, l3.sharedBy == 1 ? "" : "s", vectorRegisters, source);
    }

    /** Everything the blocking model reads, as one line: two machines with the same key get the same model output. */
    public String key() {
        return String.format(Locale.ROOT, "%s|l1d=%d/%d|l2=%d/%d|l3=%d/%d/%d|vregs=%d|fma=%d", model, l1d.bytes, l1d.ways, l2.bytes, l2.ways,
                l3.bytes, l3.ways, l3.sharedBy, vectorRegisters, fmaInFlight);
    }

    /** "48K", "2048K", "1M", "32 MiB", or plain bytes. */
    static long parseSize(String s) {
        String t = s.strip().toUpperCase(Locale.ROOT).replace(" ", "").replace("IB", "").replace("B", "");
        long unit = 1;
        if (t.endsWith("K")) unit = 1L << 10;
        else if (t.endsWith("M")) unit = 1L << 20;
        else if (t.endsWith("G")) unit = 1L << 30;
        if (unit != 1) t = t.substring(0, t.length() - 1);
        try {
            long v = Long.parseLong(t);
            if (v <= 0) throw new NumberFormatException();
            return v * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a size (e.g. 48K, 2M)");
        }
    }

    /** "48 KiB", "2 MiB", "300 MiB". */
    static String formatBytes(long b) {
        if (b % (1L << 30) == 0) return (b >> 30) + " GiB";
        if (b % (1L << 20) == 0) return (b >> 20) + " MiB";
        if (b % (1L << 10) == 0) return (b >> 10) + " KiB";
        return b + " B";
    }

    private static int parsePositive(String s, int dflt) {
        if (s == null || s.isBlank()) {
            if (dflt > 0) return dflt;
            throw new NumberFormatException();
        }
        int v = Integer.parseInt(s.strip());
        if (v <= 0) {
            if (dflt > 0) return dflt;                      // sysfs says 0 for fully associative
            throw new NumberFormatException();
        }
        return v;
    }

    /** CPUs in a list such as "0-1,4,6-7". */
    static int sharedBy(String list) {
        if (list == null || list.isBlank()) return 1;
        int n = 0;
        try {
            for (String part : list.strip().split(",")) {
                String[] r = part.split("-");
                n += r.length == 2 ? Integer.parseInt(r[1]) - Integer.parseInt(r[0]) + 1 : 1;
            }
        } catch (NumberFormatException e) {
            return 1;
        }
        return Math.max(1, n);
    }

    /** x86: "model name (family F model M)"; Arm: "aarch64 CPU (implementer I part P)"; elsewhere the JVM's os.arch. */
    private static String modelName(Path cpuinfo) {
        java.util.Map<String, String> first = new java.util.HashMap<>();
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                int colon = line.indexOf(':');
                if (colon > 0) first.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: os.arch below
        }
        String name = first.getOrDefault("model name", System.getProperty("os.arch", "unknown") + " CPU");
        if (first.containsKey("cpu family") && first.containsKey("model")) {
            return name + " (family " + first.get("cpu family") + " model " + first.get("model") + ")";
        }
        if (first.containsKey("CPU implementer") && first.containsKey("CPU part")) {
            return name + " (implementer " + first.get("CPU implementer") + " part " + first.get("CPU part") + ")";
        }
        return name;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * 32 where the JIT can address 32 vector registers (AVX-512's zmm0–31 at any width, AArch64's v0–31),
     * 16 on x86 without AVX-512 (ymm0–15).
     */
    private static int detectVectorRegisters() {
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("aarch64") || arch.equals("arm64") || arch.startsWith("riscv")) return 32;
        return FloatVector.SPECIES_MAX.vectorBitSize() >= 512 ? 32 : 16;
    }

    /** 4-cycle FMA latency × 2 FMA pipes: current x86 cores (Zen 3–5, Intel since Skylake) and Arm Neoverse N. */
    private static int detectFmaInFlight() {
        return 8;
    }
}
