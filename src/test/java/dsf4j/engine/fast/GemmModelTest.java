package dsf4j.engine.fast;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The analytical blocking model's choices on known CPUs, and its inequalities on any caches. */
class GemmModelTest {

    static final CpuInfo XEON = new CpuInfo("Intel Xeon (family 6 model 207)", new CpuInfo.Cache(48 << 10, 12, 1),
            new CpuInfo.Cache(2 << 20, 16, 1), new CpuInfo.Cache(300 << 20, 20, 2), 32, 8, "test");
    static final CpuInfo ZEN4 = XEON.with("l1d=32K,l2=1M,l3=32M,l3.shared=8");

    private static long ways(long bytes, CpuInfo.Cache c) {
        return (bytes + c.wayBytes() - 1) / c.wayBytes();
    }

    @Test
    void thisXeonAt512BitsGets12x2Kc256() {
        GemmBlocking b = GemmModel.choose(XEON, 16);
        assertEquals("12x2 kc=256 mc=4092 nc=1792", b.toString());
        // A's 12 × 256 micro-panel takes 3 of the 4 KiB ways, B's 256 × 32 one 8: 11 = W − 1.
        assertEquals(3, ways(256L * 12 * 4, XEON.l1d()));
        assertEquals(8, ways(256L * 32 * 4, XEON.l1d()));
        // B's 256 × 1792 block: 14 of the L2's 16 ways of 128 KiB, with one for C and one for two A micro-panels.
        assertEquals(14, ways(256L * 1792 * 4, XEON.l2()));
    }

    @Test
    void aZen4GetsAShallowerKcThatLeavesRoomInItsL1() {
        GemmBlocking b = GemmModel.choose(ZEN4, 16);
        assertEquals("12x2 kc=160 mc=4092 nc=1216", b.toString());
        assertTrue(b.kc() * b.nr() * 4 <= 20 << 10, "B's micro-panel takes at most 5 of Zen 4's 8 ways");
        assertTrue(b.kc() * b.nc() * 4 <= 6 * (128 << 10), "B's block takes at most 6 of its L2's 8 ways");
        assertEquals("12x2 kc=256 mc=3072 nc=768", GemmModel.choose(ZEN4, 8).toString());
    }

    @Test
    void sixteenRegistersGetTheSixRowTile() {
        assertEquals(6, GemmModel.choose(XEON.with("vregs=16"), 8).mr());
        assertEquals(6, GemmModel.microRows(16, 8));
        assertEquals(12, GemmModel.microRows(32, 8));
        assertEquals(8, GemmModel.microRows(19, 8));
        assertEquals(6, GemmModel.microRows(8, 8));           // nothing fits: the smallest kernel
    }

    @Test
    void everyChoiceSatisfiesTheModelsInequalitiesAndKcIsTheLargestThatDoes() {
        Random r = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            int l1Ways = 4 + r.nextInt(13), l2Ways = 4 + r.nextInt(17);
            long l1 = (long) l1Ways * (1 << (10 + r.nextInt(3))), l2 = (long) l2Ways * (1 << (15 + r.nextInt(4)));
            CpuInfo c = new CpuInfo("random", new CpuInfo.Cache(l1, l1Ways, 1), new CpuInfo.Cache(l2, l2Ways, 1),
                    new CpuInfo.Cache(32 << 20, 16, 1 + r.nextInt(8)), r.nextBoolean() ? 16 : 32, 8, "test");
            int lanes = new int[] {4, 8, 16}[r.nextInt(3)];
            GemmBlocking b = GemmModel.choose(c, lanes);
            String at = c.describe() + " lanes " + lanes + ": " + b;
            assertTrue(2 * b.mr() + 3 <= c.vectorRegisters(), at);
            assertTrue(2 * b.mr() >= c.fmaInFlight(), at);
            assertEquals(0, b.kc() % 8, at);
            if (ways((long) 8 * b.nr() * 4, c.l1d()) + ways((long) 8 * b.mr() * 4, c.l1d()) <= l1Ways - 1) {
                assertTrue(ways((long) b.kc() * b.nr() * 4, c.l1d()) + ways((long) b.kc() * b.mr() * 4, c.l1d()) <= l1Ways - 1, at);
                int next = b.kc() + 8;
                assertTrue(next > GemmBlocking.MAX_KC
                        || ways((long) next * b.nr() * 4, c.l1d()) + ways((long) next * b.mr() * 4, c.l1d()) > l1Ways - 1, at);
            }
            assertEquals(0, b.nc() % b.nr(), at);
            assertTrue((long) b.nc() * b.kc() * 4 <= l2 || b.nc() == b.nr(), at);
            assertEquals(0, b.mc() % b.mr(), at);
            assertTrue(b.mc() <= GemmModel.MC_CAP, at);
        }
    }

    @Test
    void givenFieldsAreKeptAndTheRestFollowsFromThem() {
        GemmBlocking b = GemmModel.complete(XEON, 16, new int[] {6, 192, 0, 0});
        assertEquals(6, b.mr());
        assertEquals(192, b.kc());
        assertEquals(GemmModel.nc(XEON.l2(), 6, 32, 192), b.nc());
    }

    @Test
    void aBlockingReadsBackFromItsTextAndPartsComeFromTheModel() {
        GemmBlocking b = new GemmBlocking(8, 2, 16, 200, 800, 1024);
        assertEquals(b, GemmBlocking.parse(b.toString(), 16, f -> new GemmBlocking(f[0], 2, 16, f[1], f[2], f[3])));
        assertEquals(GemmModel.complete(XEON, 16, new int[] {0, 192, 0, 0}), GemmChoice.resolve(XEON, "kc=192", 512, 16).blocking());
        assertEquals(GemmModel.choose(XEON, 16), GemmChoice.resolve(XEON, "model", 512, 16).blocking());
        assertEquals(new GemmBlocking(6, 2, 16, 256, 144, 512), GemmChoice.resolve(XEON, "6x2,kc=256,mc=144,nc=512", 512, 16).blocking());
        assertEquals(48, new GemmBlocking(12, 2, 16, 64, 50, 100).mc());      // MC down to a multiple of MR
        assertEquals(96, new GemmBlocking(12, 2, 16, 64, 50, 100).nc());      // NC down to a multiple of NR
    }

    @Test
    void aBadBlockingIsOneLineNamingTheSyntax() {
        for (String bad : new String[] {"5x2", "12x3", "kc=abc", "kc=0x", "foo", "kc=100000", "mc=-4"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmChoice.resolve(XEON, bad, 512, 16), bad);
            assertTrue(e.getMessage().startsWith("-Ddsf4j.gemm=" + bad + ": ") && e.getMessage().contains("use e.g."), e.getMessage());
        }
    }
}
