package dsf4j.engine.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel program as NVRTC will see it, and every {@link Kernel}'s signature against the
 * parameter list written in the source: a launch from Java cannot pass the wrong number or kind of
 * arguments without this failing.
 */
class KernelSourceTest {

    static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)");

    /** p, i or f per C parameter. */
    static String signatureOf(String params) {
        StringBuilder sb = new StringBuilder();
        for (String p : params.split(",")) {
            String t = p.trim();
            if (t.contains("*")) sb.append('p');
            else if (t.startsWith("int ")) sb.append('i');
            else if (t.startsWith("float ")) sb.append('f');
            else throw new AssertionError("unexpected kernel parameter '" + t + "'");
        }
        return sb.toString();
    }

    /** cross_entropy and sum_squares size their shared arrays by CE_THREADS; Java launches them with Gpu.THREADS. */
    @Test
    void theBlockSizeTheReductionKernelsAssumeIsTheOneJavaLaunches() {
        Matcher m = Pattern.compile("#define CE_THREADS (\\d+)").matcher(KernelSource.read("loss.cu"));
        assertTrue(m.find(), "loss.cu defines CE_THREADS");
        assertEquals(Gpu.THREADS, Integer.parseInt(m.group(1)));
    }

    @Test
    void everyKernelIsDefinedOnceWithTheSignatureJavaLaunchesItWith() {
        String program = KernelSource.program();
        Matcher m = KERNEL.matcher(program);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
            Kernel k = kernelNamed(m.group(1));
            assertEquals(k.signature, signatureOf(m.group(2)), k.symbol + "'s parameters in the .cu file");
        }
        Set<String> unique = new HashSet<>(names);
        assertEquals(names.size(), unique.size(), "a kernel is defined twice: " + names);
        for (Kernel k : Kernel.values()) assertTrue(unique.contains(k.symbol), k.symbol + " is not in the kernel sources");
        assertEquals(Kernel.values().length, unique.size(), "the sources define kernels Kernel does not list: " + names);
    }

    @Test
    void theProgramIsThePreludeThenEveryFileWithLineDirectives() {
        String program = KernelSource.program();
        assertTrue(program.startsWith("#line 1 \"prelude.cuh\"\n"));
        int last = -1;
        for (String f : KernelSource.FILES) {
            int at = program.indexOf("#line 1 \"" + f + "\"\n");
            assertTrue(at > last, f + " is missing or out of order");
            last = at;
        }
        assertTrue(KernelSource.unit("dsf.cu").contains("dsf_scan"));
    }

    /** The cell contract of CellType on the GPU: every cell has its forward and backward kernel, in its own file. */
    @Test
    void everyCellHasAKernelPairInItsOwnFile() {
        for (dsf4j.config.CellType cell : dsf4j.config.CellType.values()) {
            Kernel f = Kernel.forward(cell), b = Kernel.backward(cell);
            assertEquals(cell.id() + "_forward", f.symbol);
            assertEquals(cell.id() + "_backward", b.symbol);
            String file = KernelSource.read(Kernel.cellFile(cell));
            assertTrue(file.contains(" " + f.symbol + "(") && file.contains(" " + b.symbol + "("), Kernel.cellFile(cell) + " defines both kernels");
            assertTrue(KernelSource.FILES.contains(Kernel.cellFile(cell)), Kernel.cellFile(cell) + " is compiled");
        }
    }

    private static Kernel kernelNamed(String symbol) {
        for (Kernel k : Kernel.values()) if (k.symbol.equals(symbol)) return k;
        throw new AssertionError("kernel " + symbol + " in the sources has no Kernel entry");
    }
}
