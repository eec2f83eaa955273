package dsf4j.engine.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Compiles the kernel program with nvcc to PTX for sm_90 (no GPU needed: nvcc only compiles), so a
 * syntax or type error shows up here rather than in NVRTC on a lent GPU; then reads each kernel's
 * parameter types off the PTX and checks them against {@link Kernel#signature}. Skipped when nvcc
 * is not on the PATH.
 */
class NvccPtxTest {

    @TempDir
    Path dir;

    static Path nvcc() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, "nvcc");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    @Test
    void theProgramCompilesToPtxWithTheSignaturesJavaUses() throws IOException, InterruptedException {
        Path nvcc = nvcc();
        assumeTrue(nvcc != null, "nvcc is not on the PATH: the CUDA kernels were not compiled (install the CUDA toolkit to run this check)");
        Path src = dir.resolve("dsf4j.cu"), ptx = dir.resolve("dsf4j.ptx");
        Files.writeString(src, KernelSource.program());
        Process p = new ProcessBuilder(nvcc.toString(), "--ptx", "-arch=sm_90", "-std=c++17", "-Werror=all-warnings", "-o", ptx.toString(), src.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc did not finish in 120 s");
        assertEquals(0, p.exitValue(), "nvcc failed:\n" + log);
        String text = Files.readString(ptx);
        for (Kernel k : Kernel.values()) {
            Matcher m = Pattern.compile("\\.entry " + k.symbol + "\\(([^)]*)\\)").matcher(text);
            assertTrue(m.find(), k.symbol + " is not in the PTX");
            List<String> types = Pattern.compile("\\.param \\.(\\w+)").matcher(m.group(1)).results().map(r -> r.group(1)).toList();
            StringBuilder sig = new StringBuilder();
            for (String t : types) {
                sig.append(switch (t) {
                    case "u64" -> 'p';
                    case "u32", "s32" -> 'i';
                    case "f32" -> 'f';
                    default -> '?';
                });
            }
            assertEquals(k.signature, sig.toString(), k.symbol + "'s PTX parameters " + types);
        }
    }
}
