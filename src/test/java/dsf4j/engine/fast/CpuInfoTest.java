package dsf4j.engine.fast;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the caches from a sysfs tree and /proc/cpuinfo, else glibc's sysconf, the fallback, and the -Ddsf4j.cpu override. */
class CpuInfoTest {

    /** Writes index{i}/{level,type,size,ways_of_associativity,shared_cpu_list} as Linux does. */
    private static void cache(Path dir, int index, int level, String type, String size, int ways, String shared) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + index));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
        Files.writeString(d.resolve("ways_of_associativity"), ways + "\n");
        Files.writeString(d.resolve("shared_cpu_list"), shared + "\n");
    }

    @Test
    void readsTheDataCachesOfAZen4FromSysfs(@TempDir Path dir) throws IOException {
        cache(dir, 0, 1, "Data", "32K", 8, "0");
        cache(dir, 1, 1, "Instruction", "32K", 8, "0");
        cache(dir, 2, 2, "Unified", "1024K", 8, "0");
        cache(dir, 3, 3, "Unified", "32768K", 16, "0-1");
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9R14\n\nprocessor\t: 1\n");
        CpuInfo c = CpuInfo.detect(dir, cpuinfo, ZEN5_SYSCONF);
        assertEquals(new CpuInfo.Cache(32 << 10, 8, 1), c.l1d());
        assertEquals(new CpuInfo.Cache(1 << 20, 8, 1), c.l2());
        assertEquals(new CpuInfo.Cache(32 << 20, 16, 2), c.l3());
        assertEquals("AMD EPYC 9R14 (family 25 model 17)", c.model());
        assertEquals("sysfs", c.source());
    }

    /** What glibc's sysconf said on a Zen 5 EPYC VM without sysfs cache entries (getconf -a, 2026-12-02). */
    private static final IntToLongFunction ZEN5_SYSCONF = name -> switch (name) {
        case GlibcCaches.L1D_SIZE -> 49152;
        case GlibcCaches.L1D_ASSOC -> 12;
        case GlibcCaches.L2_SIZE -> 1048576;
        case GlibcCaches.L2_ASSOC -> 8;
        case GlibcCaches.L3_SIZE -> 532676608;
        case GlibcCaches.L3_ASSOC -> 0;
        default -> -1;
    };

    private static final IntToLongFunction NO_LIBC = name -> -1;

    @Test
    void withoutSysfsTheCachesComeFromGlibcsSysconfWithTheFallbacksL3Sharers(@TempDir Path dir) {
        CpuInfo c = CpuInfo.detect(dir.resolve("missing"), dir.resolve("missing-cpuinfo"), ZEN5_SYSCONF);
        assertEquals(new CpuInfo.Cache(48 << 10, 12, 1), c.l1d());
        assertEquals(new CpuInfo.Cache(1 << 20, 8, 1), c.l2());
        assertEquals(new CpuInfo.Cache(532676608, CpuInfo.FALLBACK.l3().ways(), CpuInfo.FALLBACK.l3().sharedBy()), c.l3(), "ways 0 = unknown");
        assertEquals("sysconf", c.source());
    }

    @Test
    void sysconfFiguresThatCannotBeCachesAreIgnored() {
        assertEquals(null, CpuInfo.fromSysconf(NO_LIBC));
        assertEquals(null, CpuInfo.fromSysconf(n -> n == GlibcCaches.L1D_SIZE ? 49152 : 0), "no L2");
        assertEquals(null, CpuInfo.fromSysconf(n -> n == GlibcCaches.L1D_SIZE ? 1L << 30 : n == GlibcCaches.L2_SIZE ? 2L << 30 : 0), "a 1 GiB L1d");
        CpuInfo.Cache[] oddWays = CpuInfo.fromSysconf(n -> n == GlibcCaches.L1D_SIZE ? 32768 : n == GlibcCaches.L1D_ASSOC ? 7 : n == GlibcCaches.L2_SIZE ? 1 << 20 : 0);
        assertEquals(new CpuInfo.Cache(32768, CpuInfo.FALLBACK.l1d().ways(), 1), oddWays[0], "7 ways do not divide 32 KiB");
        assertEquals(CpuInfo.FALLBACK.l3(), oddWays[2], "no L3 reported");
    }

    @Test
    void onLinuxWithGlibcSysconfReportsAnL1dNoLargerThanTheL2() {
        IntToLongFunction sysconf = GlibcCaches.sysconf();
        long l1 = sysconf.applyAsLong(GlibcCaches.L1D_SIZE);
        Assumptions.assumeTrue(l1 > 0, "no glibc, or it does not know this CPU's caches");
        assertTrue(l1 >= 4096 && l1 <= sysconf.applyAsLong(GlibcCaches.L2_SIZE), "L1d " + l1);
    }

    @Test
    void withoutSysfsOrSysconfTheFallbackCachesAreUsedAndSaidSo(@TempDir Path dir) {
        CpuInfo c = CpuInfo.detect(dir.resolve("missing"), dir.resolve("missing-cpuinfo"), NO_LIBC);
        assertEquals(CpuInfo.FALLBACK.l1d(), c.l1d());
        assertEquals(CpuInfo.FALLBACK.l2(), c.l2());
        assertEquals(CpuInfo.FALLBACK.l3(), c.l3());
        assertEquals("fallback", c.source());
        assertTrue(c.describe().contains("[fallback]"), c.describe());
    }

    @Test
    void anOverrideForcesSizesWithTheFallbacksWaysUnlessGiven() {
        CpuInfo here = new CpuInfo("x", new CpuInfo.Cache(48 << 10, 12, 1), new CpuInfo.Cache(2 << 20, 16, 1),
                new CpuInfo.Cache(300 << 20, 20, 2), 32, 8, "sysfs");
        CpuInfo zen4 = here.with("l1d=32K,l2=1M");
        assertEquals(new CpuInfo.Cache(32 << 10, 8, 1), zen4.l1d());
        assertEquals(new CpuInfo.Cache(1 << 20, 8, 1), zen4.l2());
        assertEquals(here.l3(), zen4.l3());
        assertTrue(zen4.source().contains("forced: l1d=32K,l2=1M"), zen4.source());
        CpuInfo other = here.with(" l1d = 64K , l1d.ways=4, l3=32M, l3.shared=8, vregs=16, fma=16 ");
        assertEquals(new CpuInfo.Cache(64 << 10, 4, 1), other.l1d());
        assertEquals(new CpuInfo.Cache(32 << 20, 16, 8), other.l3());
        assertEquals(16, other.vectorRegisters());
        assertEquals(16, other.fmaInFlight());
        assertEquals(here, here.with(""));
    }

    @Test
    void aBadOverrideIsOneLineNamingTheEntryAndTheKeys() {
        CpuInfo c = CpuInfo.FALLBACK;
        for (String bad : new String[] {"l1d", "l1d=abc", "l9=4K", "l2=16K", "l1d=32K,l1d.ways=0", "vregs=2", "l1d=1000,l1d.ways=3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.with(bad), bad);
            assertTrue(e.getMessage().startsWith("-Ddsf4j.cpu=" + bad + ": ") && e.getMessage().contains("keys: l1d, l2"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void sizesAndCpuListsParseAsLinuxWritesThem() {
        assertEquals(48 << 10, CpuInfo.parseSize("48K"));
        assertEquals(2 << 20, CpuInfo.parseSize("2048K"));
        assertEquals(1 << 20, CpuInfo.parseSize("1M"));
        assertEquals(32 << 20, CpuInfo.parseSize("32 MiB"));
        assertEquals(4096, CpuInfo.parseSize("4096"));
        assertEquals(1, CpuInfo.sharedBy("3"));
        assertEquals(2, CpuInfo.sharedBy("0-1"));
        assertEquals(6, CpuInfo.sharedBy("0-3,8,10"));
        assertEquals("48 KiB", CpuInfo.formatBytes(48 << 10));
        assertEquals("300 MiB", CpuInfo.formatBytes(300L << 20));
    }
}
