package dsf4j.engine.cuda;

import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model's tensors in one device buffer, trainable ones first (so Adam and the gradient zeroing
 * are one launch each over [0, trainableFloats)), buffers such as λ after them. Every tensor starts
 * on a 256-byte boundary. Gradients (and Adam's moments, when asked for) are buffers of the same
 * trainable layout.
 */
final class DeviceParams implements AutoCloseable {

    private static final int ALIGN = 64;   // floats

    private final Gpu gpu;
    private final Map<String, Long> offsets = new LinkedHashMap<>();   // floats from the start
    private final Map<String, Integer> sizes = new LinkedHashMap<>();
    final long trainableFloats, totalFloats;
    final long params, grads;
    long m, v;   // 0 until withMoments()

    DeviceParams(Gpu gpu, Parameters layout) {
        this.gpu = gpu;
        long at = 0;
        for (Tensor t : layout) if (t.trainable()) at = place(t, at);
        trainableFloats = at;
        for (Tensor t : layout) if (!t.trainable()) at = place(t, at);
        totalFloats = at;
        params = gpu.alloc(totalFloats);
        grads = gpu.alloc(trainableFloats);
        gpu.zero(params, totalFloats);
        gpu.zero(grads, trainableFloats);
    }

    private long place(Tensor t, long at) {
        offsets.put(t.name(), at);
        sizes.put(t.name(), t.size());
        return (at + t.size() + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Whether {@code p} has exactly the tensors (names and sizes) this layout was built for. */
    boolean matches(Parameters p) {
        if (p.list().size() != sizes.size()) return false;
        for (Tensor t : p) {
            Integer s = sizes.get(t.name());
            if (s == null || s != t.size()) return false;
        }
        return true;
    }

    /** Allocates and zeroes Adam's first and second moments. */
    void withMoments() {
        if (m != 0) return;
        m = gpu.alloc(trainableFloats);
        v = gpu.alloc(trainableFloats);
        gpu.zero(m, trainableFloats);
        gpu.zero(v, trainableFloats);
    }

    /** Device address of a tensor's weights. */
    long param(String name) {
        return params + 4 * offset(name);
    }

    /** Device address of a tensor's gradient (trainable tensors only). */
    long grad(String name) {
        long o = offset(name);
        if (o >= trainableFloats) throw new IllegalArgumentException(name + " is not trainable");
        return grads + 4 * o;
    }

    private long offset(String name) {
        Long o = offsets.get(name);
        if (o == null) throw new IllegalArgumentException("no tensor named " + name);
        return o;
    }

    /** Host → device, every tensor (one copy). */
    void upload(Parameters p) {
        toDevice(params, totalFloats, p);
    }

    /** Device → host, every tensor. */
    void download(Parameters p) {
        toHost(params, totalFloats, p);
    }

    /** Device → host gradients; buffers (λ) get 0. */
    void downloadGrads(Parameters out) {
        toHost(grads, trainableFloats, out);
    }

    /** Host → device Adam moments (tensors named as the trainable ones); allocates them first if needed. */
    void uploadMoments(Parameters first, Parameters second) {
        withMoments();
        toDevice(m, trainableFloats, first);
        toDevice(v, trainableFloats, second);
    }

    /** Device → host Adam moments, into tensors named as the trainable ones. */
    void downloadMoments(Parameters first, Parameters second) {
        if (m == 0) throw new IllegalStateException("no optimizer state on the device");
        toHost(m, trainableFloats, first);
        toHost(v, trainableFloats, second);
    }

    /** The {@code floats} from {@code dst} become {@code p}'s tensors that lie there (zeros in between), one copy. */
    private void toDevice(long dst, long floats, Parameters p) {
        float[] flat = new float[Math.toIntExact(floats)];
        for (Tensor t : p) {
            long o = offset(t.name());
            if (o < floats) System.arraycopy(t.data(), 0, flat, (int) o, t.size());
        }
        gpu.upload(dst, flat, 0, flat.length);
    }

    /** {@code p}'s tensors that lie in the {@code floats} from {@code src} get their values; the others get 0. */
    private void toHost(long src, long floats, Parameters p) {
        float[] flat = new float[Math.toIntExact(floats)];
        gpu.download(flat, 0, src, flat.length);
        for (Tensor t : p) {
            long o = offset(t.name());
            if (o < floats) System.arraycopy(flat, (int) o, t.data(), 0, t.size());
            else java.util.Arrays.fill(t.data(), 0f);
        }
    }

    @Override
    public void close() {
        gpu.free(params);
        gpu.free(grads);
        if (m != 0) {
            gpu.free(m);
            gpu.free(v);
        }
    }
}
