package dsf4j.engine.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The process-wide CUDA state: the three libraries, device 0 and its primary context, and the
 * kernels compiled once by NVRTC for the device's compute capability. Loaded on first use;
 * {@link #get()} throws {@link CudaUnavailableException} (one line: what is missing and the fix)
 * when a library or the GPU is not there.
 *
 * <p>Compiled kernels are also cached on disk under {@code $DSF4J_CUDA_CACHE} (default
 * {@code ~/.cache/dsf4j/cuda}; {@code off} disables it), keyed by a digest of the source, the
 * options and the NVRTC version.
 */
public final class CudaRuntime {

    private static CudaRuntime instance;
    private static CudaUnavailableException failure;

    final Driver driver;
    final Nvrtc nvrtc;
    final Cublas cublas;
    final int device;
    final MemorySegment context;
    final int ccMajor, ccMinor, multiprocessors;
    final String deviceName, libcudaPath;
    final Path nvrtcPath, cublasPath;
    final String nvrtcVersion;
    final int driverVersion;
    final long totalMemory;
    private final Map<Kernel, MemorySegment> functions = new EnumMap<>(Kernel.class);
    private String kernelOrigin = "";

    private CudaRuntime(LibraryFinder finder) {
        SymbolLookup cuda;
        try {
            cuda = SymbolLookup.libraryLookup(Driver.LIB, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new CudaUnavailableException("the cuda engine needs the NVIDIA driver's " + Driver.LIB + ", which the loader cannot find: "
                    + "install the NVIDIA driver on a machine with a GPU, or use --engine reference");
        }
        Path nv = finder.find(LibraryFinder.NVRTC).orElseThrow(() -> missing(LibraryFinder.NVRTC, finder));
        Path cb = finder.find(LibraryFinder.CUBLAS).orElseThrow(() -> missing(LibraryFinder.CUBLAS, finder));
        driver = new Driver(cuda);
        nvrtc = new Nvrtc(Native.open(nv, "libnvrtc-builtins"));
        cublas = new Cublas(Native.open(cb, "libcublasLt"));
        nvrtcPath = nv;
        cublasPath = cb;
        try {
            driver.init();
        } catch (CudaException e) {
            throw new CudaUnavailableException("CUDA found no usable GPU (" + e.getMessage() + "): run on a machine with an NVIDIA GPU, or use --engine reference");
        }
        device = driver.device(0);
        context = driver.primaryContext(device);
        driver.setCurrent(context);
        ccMajor = driver.attribute(device, Driver.ATTR_CC_MAJOR);
        ccMinor = driver.attribute(device, Driver.ATTR_CC_MINOR);
        multiprocessors = driver.attribute(device, Driver.ATTR_MULTIPROCESSOR_COUNT);
        deviceName = driver.deviceName(device);
        totalMemory = driver.totalMemory(device);
        driverVersion = driver.driverVersion();
        nvrtcVersion = nvrtc.version();
        libcudaPath = loadedPath("libcuda.so").orElse(Driver.LIB);
        loadKernels();
    }

    private static CudaUnavailableException missing(String base, LibraryFinder finder) {
        return new CudaUnavailableException("the cuda engine needs " + base + ".13 or .12, found in none of " + finder.searchPath().size()
                + " folders searched: set CUDA_HOME (or DSF4J_CUDA_LIB_DIR) to the folder that holds it, or use --engine reference");
    }

    /** The runtime, loaded on the first call; the same failure is rethrown on later calls. */
    public static synchronized CudaRuntime get() {
        if (instance != null) {
            instance.driver.setCurrent(instance.context);
            return instance;
        }
        if (failure != null) throw failure;
        try {
            instance = new CudaRuntime(LibraryFinder.system());
            System.err.println(instance.describe());
            return instance;
        } catch (CudaUnavailableException e) {
            failure = e;
            throw e;
        } catch (CudaException | IllegalStateException e) {
            failure = new CudaUnavailableException("CUDA failed to start: " + e.getMessage() + ": check the driver and libraries, or use --engine reference");
            throw failure;
        }
    }

    /** Whether a GPU and the libraries are here (loads them on the first call). */
    public static boolean available() {
        try {
            get();
            return true;
        } catch (CudaUnavailableException e) {
            return false;
        }
    }

    /** What was loaded, for reports (the GPU check's JSON lines). */
    public record Info(String deviceName, int ccMajor, int ccMinor, int multiprocessors, int driverVersion, String nvrtcVersion,
                       String libcudaPath, String nvrtcPath, String cublasPath) {}

    public Info info() {
        return new Info(deviceName, ccMajor, ccMinor, multiprocessors, driverVersion, nvrtcVersion, libcudaPath, nvrtcPath.toString(), cublasPath.toString());
    }

    /** Makes the primary context current on the calling thread. */
    void makeCurrent() {
        driver.setCurrent(context);
    }

    MemorySegment function(Kernel k) {
        return functions.get(k);
    }

    /** Lines naming the device and every library loaded, with versions. */
    public String describe() {
        return String.format("cuda: device 0 %s, compute capability %d.%d, %d SMs, %.1f GiB; driver API %d.%d%n"
                        + "cuda: loaded %s%ncuda: loaded %s (NVRTC %s)%ncuda: loaded %s%ncuda: kernels %s",
                deviceName, ccMajor, ccMinor, multiprocessors, totalMemory / (double) (1L << 30), driverVersion / 1000, driverVersion % 1000 / 10,
                libcudaPath, nvrtcPath, nvrtcVersion, cublasPath, kernelOrigin);
    }

    private void loadKernels() {
        String source = KernelSource.program();
        List<String> options = List.of("--gpu-architecture=sm_" + ccMajor + ccMinor, "--std=c++17", "-default-device");
        byte[] cubin = null;
        Path cached = cacheFile(source, options);
        if (cached != null && Files.isRegularFile(cached)) {
            try {
                cubin = Files.readAllBytes(cached);
                kernelOrigin = "from cache " + cached;
            } catch (IOException e) {
                cubin = null;
            }
        }
        if (cubin == null) {
            long t0 = System.nanoTime();
            cubin = nvrtc.compileToCubin(source, "dsf4j.cu", options);
            kernelOrigin = String.format("compiled by NVRTC for sm_%d%d in %.2f s", ccMajor, ccMinor, (System.nanoTime() - t0) / 1e9);
            if (cached != null) {
                try {
                    Files.createDirectories(cached.getParent());
                    Path tmp = Files.createTempFile(cached.getParent(), "k", ".tmp");
                    Files.write(tmp, cubin);
                    Files.move(tmp, cached, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    // the cache is an optimisation only
                }
            }
        }
        MemorySegment module = driver.loadModule(cubin);
        for (Kernel k : Kernel.values()) functions.put(k, driver.function(module, k.symbol));
    }

    private Path cacheFile(String source, List<String> options) {
        String dir = System.getenv("DSF4J_CUDA_CACHE");
        if ("off".equals(dir)) return null;
        Path base = dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "dsf4j", "cuda");
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(source.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(String.join(" ", options).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(nvrtcVersion.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return base.resolve(HexFormat.of().formatHex(md.digest(), 0, 16) + ".cubin");
        } catch (java.security.NoSuchAlgorithmException e) {
            return null;
        }
    }

    /** The file a loaded shared library came from, read off /proc/self/maps. */
    static Optional<String> loadedPath(String namePart) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.substring(slash).contains("/" + namePart)) return Optional.of(line.substring(slash));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
