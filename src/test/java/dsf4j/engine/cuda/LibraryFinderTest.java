package dsf4j.engine.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Library discovery on fake folder trees laid out like the machines GPU.md describes. */
class LibraryFinderTest {

    @TempDir
    Path root;

    private Path touch(String relative) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.createFile(p);
    }

    @Test
    void companionIsTheSameMajorsSonameNeverTheAltBuildNorTheArchive() throws IOException {
        String dir = "usr/local/cuda-13.0/targets/x86_64-linux/lib/";
        Path nvrtc = touch(dir + "libnvrtc.so.13");
        touch(dir + "libnvrtc-builtins.alt.so.13.0");
        touch(dir + "libnvrtc-builtins_static.a");
        touch(dir + "libnvrtc-builtins.so.12.8");
        assertEquals(Optional.of(root.resolve(dir + "libnvrtc-builtins.so.12.8")), LibraryFinder.companion(nvrtc, "libnvrtc-builtins"),
                "no file of the same major: any real soname beats the .alt build");
        Path builtins = touch(dir + "libnvrtc-builtins.so.13.0");
        assertEquals(Optional.of(builtins), LibraryFinder.companion(nvrtc, "libnvrtc-builtins"));
        Path cublas = touch(dir + "libcublas.so.13");
        touch(dir + "libcublasLt_static.a");
        assertEquals(Optional.empty(), LibraryFinder.companion(cublas, "libcublasLt"));
        Path lt = touch(dir + "libcublasLt.so.13");
        assertEquals(Optional.of(lt), LibraryFinder.companion(cublas, "libcublasLt"));
    }

    @Test
    void findsTheToolkitTargetsFolderOffTheLoaderPath() throws IOException {
        Path cublas = touch("usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13");
        Path nvrtc = touch("usr/local/cuda-13.0/targets/x86_64-linux/lib/libnvrtc.so.13");
        LibraryFinder f = new LibraryFinder(root, Map.of());
        assertEquals(Optional.of(cublas), f.find(LibraryFinder.CUBLAS));
        assertEquals(Optional.of(nvrtc), f.find(LibraryFinder.NVRTC));
    }

    @Test
    void findsPythonWheelsUnderSitePackagesNvidia() throws IOException {
        Path cu13 = touch("opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libnvrtc.so.13");
        Path wheel = touch("usr/local/lib/python3.11/dist-packages/nvidia/cublas/lib/libcublas.so.12");
        LibraryFinder f = new LibraryFinder(root, Map.of());
        assertEquals(Optional.of(cu13), f.find(LibraryFinder.NVRTC));
        assertEquals(Optional.of(wheel), f.find(LibraryFinder.CUBLAS));
    }

    @Test
    void cudaHomeComesBeforeDefaultLocationsAndNewerMajorWinsInAFolder() throws IOException {
        touch("usr/local/cuda/lib64/libcublas.so.13");
        Path home = root.resolve("home/me/cuda");
        Path old = touch("home/me/cuda/lib64/libcublas.so.12");
        Path newer = touch("home/me/cuda/lib64/libcublas.so.13");
        LibraryFinder f = new LibraryFinder(root, Map.of("CUDA_HOME", home.toString()));
        assertEquals(Optional.of(newer), f.find(LibraryFinder.CUBLAS));
        Files.delete(newer);
        assertEquals(Optional.of(old), f.find(LibraryFinder.CUBLAS));
    }

    @Test
    void explicitFolderAndLdLibraryPathComeFirstInThatOrder() throws IOException {
        Path ld = touch("ld/libnvrtc.so.13").getParent();
        Path explicit = touch("mine/libnvrtc.so.12").getParent();
        touch("usr/local/cuda/lib64/libnvrtc.so.13");
        Map<String, String> env = new HashMap<>();
        env.put("LD_LIBRARY_PATH", "/nonexistent:" + ld);
        assertEquals(Optional.of(ld.resolve("libnvrtc.so.13")), new LibraryFinder(root, env).find(LibraryFinder.NVRTC));
        env.put("DSF4J_CUDA_LIB_DIR", explicit.toString());
        assertEquals(Optional.of(explicit.resolve("libnvrtc.so.12")), new LibraryFinder(root, env).find(LibraryFinder.NVRTC));
    }

    @Test
    void compatFoldersAreNeverSearched() throws IOException {
        Path compat = touch("usr/local/cuda-13.0/compat/libcublas.so.13").getParent();
        Path real = touch("usr/lib/x86_64-linux-gnu/libcublas.so.13");
        LibraryFinder f = new LibraryFinder(root, Map.of("LD_LIBRARY_PATH", compat.toString(), "CUDA_HOME", root.resolve("usr/local/cuda-13.0").toString()));
        assertEquals(Optional.of(real), f.find(LibraryFinder.CUBLAS));
        assertFalse(f.searchPath().stream().anyMatch(LibraryFinder::isCompat));
    }

    @Test
    void newestVersionedToolkitFirstAndNothingFoundIsEmpty() throws IOException {
        LibraryFinder f = new LibraryFinder(root, Map.of());
        assertTrue(f.find(LibraryFinder.CUBLAS).isEmpty());
        touch("usr/local/cuda-9.2/lib64/libcublas.so.12");
        Path newest = touch("usr/local/cuda-13.0/lib64/libcublas.so.12");
        touch("usr/local/cuda-12.8/lib64/libcublas.so.12");
        assertEquals(Optional.of(newest), f.find(LibraryFinder.CUBLAS));
    }
}
