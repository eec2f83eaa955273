package dsf4j.train;

import dsf4j.config.ConfigJson;
import dsf4j.config.ModelConfig;
import dsf4j.io.ChecksumMismatch;
import dsf4j.io.DType;
import dsf4j.io.SafeTensors;
import dsf4j.io.SafeTensorsFile;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A training checkpoint: one safetensors file holding
 * <pre>
 * &lt;name&gt;             F32   every tensor of {@link ParamLayout}, PyTorch names and layouts (λ included)
 * optim/m/&lt;name&gt;     F32   Adam's first moment of each trainable tensor
 * optim/v/&lt;name&gt;     F32   Adam's second moment
 * __metadata__       format, config (model JSON, as the grads file), train ({@link TrainConfig} JSON),
 *                    state ({@link TrainState} JSON), optim_steps, provenance (JSON)
 * </pre>
 * Written atomically: a crash or an I/O error leaves the previous file intact. Every tensor's CRC-32C is in the
 * metadata ({@link SafeTensors}), and loading checks it: a damaged file is refused, naming the tensor.
 *
 * @param moments null when the file holds weights only (a {@code --resume} needs them)
 */
public record Checkpoint(ModelConfig model, TrainConfig train, Parameters params, Moments moments, TrainState state, String provenance) {

    static final String FORMAT = "dsf4j-checkpoint-1";
    /** Stream mode's carried recurrent state of layer l, [B, D]: {@code carry/layers.<l>}. */
    static final String CARRIED = "carry/layers.";

    /** Adam's state. */
    public record Moments(Parameters m, Parameters v, long steps) {}

    public static void save(Path path, ModelConfig model, TrainConfig train, Parameters params, Adam adam, TrainState state,
                            Provenance provenance) throws IOException {
        requireFinite(path, params);
        requireFinite(path, adam.firstMoments());
        requireFinite(path, adam.secondMoments());
        SafeTensors.Writer w = SafeTensors.writer()
                .metadata("format", FORMAT)
                .metadata("config", ConfigJson.toJson(model).toString())
                .metadata("train", TrainConfigJson.toJson(train))
                .metadata("state", state.toJson())
                .metadata("optim", adam.kind().id())
                .metadata("optim_steps", Long.toString(adam.steps()))
                .metadata("provenance", provenance.toJson());
        for (Tensor t : params) w.f32(t.name(), t.shape(), t.data());
        for (Tensor t : adam.firstMoments()) w.f32("optim/m/" + t.name(), t.shape(), t.data());
        for (Tensor t : adam.secondMoments()) w.f32("optim/v/" + t.name(), t.shape(), t.data());
        if (state.carried() != null) {
            for (int l = 0; l < state.carried().length; l++) {
                w.f32(CARRIED + l, new int[] {train.batch(), model.stateSize()}, state.carried()[l]);
            }
        }
        w.write(path);
    }

    /** {@link #load(Path, PrintStream)} with the note about a file without checksums on stderr. */
    public static Checkpoint load(Path path) {
        return load(path, System.err);
    }

    /**
     * Reads a checkpoint and checks every tensor against its CRC-32C and against the model its config describes. A
     * file without checksums (an older dsf4j's) loads, unchecked, with a note on {@code notes}.
     *
     * @throws IllegalArgumentException one line naming the file, the problem and a fix; for a damaged tensor, the
     *                                  tensor, and the checkpoint to use instead
     */
    public static Checkpoint load(Path path, PrintStream notes) {
        SafeTensorsFile f = SafeTensors.read(path);
        try {
            Checkpoint c = read(path, f);
            if (!f.checksummed()) {
                notes.println("dsf4j: note: " + path + " records no checksums (an older dsf4j wrote it): it loads, but damage to it cannot be detected;"
                        + " the checkpoints a run writes from now on have them");
            }
            return c;
        } catch (ChecksumMismatch e) {
            throw new IllegalArgumentException(e.problem() + "; " + instead(path), e);
        }
    }

    /** What to use instead of a damaged checkpoint: the run's other checkpoint, or an earlier copy. */
    static String instead(Path path) {
        Path name = path.getFileName();
        if (name != null && name.toString().equals(Trainer.BEST)) return "use " + path.resolveSibling(Trainer.LAST) + " or an earlier copy of it";
        if (name != null && name.toString().equals(Trainer.LAST)) return "use " + path.resolveSibling(Trainer.BEST) + " (--resume accepts a checkpoint file) or an earlier copy of it";
        return "use the run's best.safetensors or an earlier copy of it";
    }

    private static Checkpoint read(Path path, SafeTensorsFile f) {
        Map<String, String> meta = f.metadata();
        String where = path + ": ";
        if (!FORMAT.equals(meta.get("format")) || !meta.containsKey("config") || !meta.containsKey("train") || !meta.containsKey("state")) {
            throw new IllegalArgumentException(where + "not a dsf4j checkpoint (its metadata lacks format " + FORMAT
                    + ", config, train or state): give a file written by dsf4j train (best.safetensors or last.safetensors)");
        }
        try {
            ModelConfig model = ConfigJson.fromJson(meta.get("config"));
            TrainConfig train = TrainConfigJson.fromJson(meta.get("train"));
            TrainState state = TrainState.fromJson(meta.get("state"));
            if (f.has(CARRIED + 0)) {
                float[][] carried = new float[model.layers()][];
                for (int l = 0; l < carried.length; l++) {
                    Tensor c = new Tensor(CARRIED + l, new int[] {train.batch(), model.stateSize()}, false);
                    read(f, c.name(), c, path);
                    carried[l] = c.data();
                }
                state = state.withCarried(carried);
            }
            Parameters params = ParamLayout.layout(model);   // values read below
            for (Tensor t : params) read(f, t.name(), t, path);
            Moments moments = null;
            if (f.has("optim/m/" + firstTrainable(params)) && meta.containsKey("optim_steps")) {
                Adam shape = new Adam(params, train.optimizer(), train.weightDecay());
                for (Tensor t : shape.firstMoments()) read(f, "optim/m/" + t.name(), t, path);
                for (Tensor t : shape.secondMoments()) read(f, "optim/v/" + t.name(), t, path);
                moments = new Moments(shape.firstMoments(), shape.secondMoments(), parseSteps(meta.get("optim_steps"), path));
            }
            return new Checkpoint(model, train, params, moments, state, meta.getOrDefault("provenance", "{}"));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(path.toString()) ? e : new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    /**
     * How many processes trained the run when this checkpoint was written ({@code world_size} in its
     * provenance; 1 for checkpoints that do not say, written before data parallelism existed).
     */
    public int worldSize() {
        try {
            var o = com.google.gson.JsonParser.parseString(provenance).getAsJsonObject();
            return o.has("world_size") ? Math.max(1, o.get("world_size").getAsInt()) : 1;
        } catch (RuntimeException e) {
            return 1;   // a provenance that is not JSON says nothing about the processes
        }
    }

    /** Puts this checkpoint's optimizer state into {@code adam} (built over {@link #params}). */
    public void restoreInto(Adam adam) {
        if (moments == null) throw new IllegalArgumentException("the checkpoint holds no optimizer state: resume from a checkpoint written by dsf4j train");
        for (Tensor t : adam.firstMoments()) System.arraycopy(moments.m.data(t.name()), 0, t.data(), 0, t.size());
        for (Tensor t : adam.secondMoments()) System.arraycopy(moments.v.data(t.name()), 0, t.data(), 0, t.size());
        adam.restoreSteps(moments.steps);
    }

    /** A checkpoint never holds NaN or ±∞: saving them would replace good weights with useless ones. */
    private static void requireFinite(Path path, Parameters ps) {
        for (Tensor t : ps) {
            for (float x : t.data()) {
                if (!Float.isFinite(x)) {
                    throw new IllegalStateException("not writing " + path + ": tensor " + t.name() + " holds " + x + "; the previous checkpoint is kept");
                }
            }
        }
    }

    private static void read(SafeTensorsFile f, String name, Tensor into, Path path) {
        if (!f.has(name)) {
            throw new IllegalArgumentException(path + ": tensor " + name + " is missing: the file was written for another model or is damaged; use a checkpoint of this model");
        }
        if (!Arrays.equals(f.shape(name), into.shape()) || f.dtype(name) != DType.F32) {
            throw new IllegalArgumentException(path + ": tensor " + name + " is " + f.dtype(name) + " " + Arrays.toString(f.shape(name)) + " but the config says F32 "
                    + Arrays.toString(into.shape()) + ": the file is damaged or its config was edited");
        }
        f.f32(name, into.data());
    }

    private static String firstTrainable(Parameters params) {
        for (Tensor t : params) if (t.trainable()) return t.name();
        return "";
    }

    private static long parseSteps(String s, Path path) {
        try {
            long n = Long.parseLong(s);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(path + ": optim_steps '" + s + "' is not a step count: the checkpoint is damaged");
    }
}
