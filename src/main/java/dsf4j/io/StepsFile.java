package dsf4j.io;

import dsf4j.config.ConfigJson;
import dsf4j.config.ModelConfig;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * The first K steps of a training run, step for step: what {@code bench/pytorch_equivalence.py} needs to
 * replay them in PyTorch ({@code train --dump-steps K} writes it), and, in the same layout, the golden
 * files that replay writes back with PyTorch's losses and weights. One safetensors file:
 * <pre>
 * &lt;name&gt;                     F32  as the tensor  the weights before step 1: every tensor of {@link ParamLayout}, λ included
 *                                              (a checkpoint's names: a PyTorch load_state_dict takes them as they are)
 * batch/&lt;k&gt;/input, /target   I64  [B, T_k]       the batch of step k, k = 1..K
 * lr                         F64  [K]            the learning rate of step k
 * loss                       F64  [K]            the loss of step k, under the weights before it
 * grad_norm                  F64  [K]            the global gradient norm of step k, before clipping
 * weights/&lt;k&gt;/&lt;name&gt;        F32  as the tensor  every trainable tensor after step k, for the steps recorded
 * __metadata__               format (dsf4j-steps-1), steps (K), config (the model, as ConfigJson), train (the run's
 *                            configuration, as a checkpoint's), engine, and anything else the writer adds
 * </pre>
 *
 * @param train   the run's training configuration as JSON (a checkpoint's {@code train} entry)
 * @param initial every tensor of the model before step 1
 * @param batches the batch of step k at index k − 1
 * @param lr      [K], the rate of step k at k − 1; likewise {@code loss} and {@code gradNorm}
 * @param weights step k → the trainable tensors after it, for the steps recorded (every step, or only a few)
 * @param extra   further metadata: engine, provenance
 */
public record StepsFile(ModelConfig config, String train, Parameters initial, List<Batch> batches, double[] lr, double[] loss, double[] gradNorm,
                        SortedMap<Integer, Parameters> weights, Map<String, String> extra) {

    public static final String FORMAT = "dsf4j-steps-1";

    public StepsFile {
        int k = batches.size();
        if (k < 1 || lr.length != k || loss.length != k || gradNorm.length != k) {
            throw new IllegalArgumentException("a steps file needs K ≥ 1 batches and K rates, losses and norms (got " + k + ", " + lr.length + ", "
                    + loss.length + ", " + gradNorm.length + ")");
        }
        if (!weights.isEmpty() && (weights.firstKey() < 1 || weights.lastKey() > k)) {
            throw new IllegalArgumentException("a steps file holds weights after steps 1.." + k + " only (got " + weights.keySet() + ")");
        }
    }

    /** K, the steps recorded. */
    public int steps() {
        return batches.size();
    }

    public void write(Path path) throws IOException {
        SafeTensors.Writer w = SafeTensors.writer()
                .metadata("format", FORMAT)
                .metadata("steps", Integer.toString(steps()))
                .metadata("config", ConfigJson.toJson(config).toString())
                .metadata("train", train);
        extra.forEach(w::metadata);
        for (Tensor t : initial) w.f32(t.name(), t.shape(), t.data());
        for (int k = 1; k <= steps(); k++) {
            Batch b = batches.get(k - 1);
            int[] shape = {b.batch(), b.steps()};
            w.i64("batch/" + k + "/input", shape, toLong(b.input()));
            w.i64("batch/" + k + "/target", shape, toLong(b.target()));
        }
        w.f64("lr", new int[] {steps()}, lr);
        w.f64("loss", new int[] {steps()}, loss);
        w.f64("grad_norm", new int[] {steps()}, gradNorm);
        weights.forEach((k, ps) -> {
            for (Tensor t : ps) w.f32("weights/" + k + "/" + t.name(), t.shape(), t.data());
        });
        w.write(path);
    }

    /**
     * Reads a file written by {@link #write} (or by the PyTorch replay; {@code NAME.gz}: gzipped), every
     * tensor checked against the model its config describes.
     *
     * @throws IllegalArgumentException one line naming the file, the problem and a fix
     */
    public static StepsFile read(Path path) {
        SafeTensorsFile f = path.toString().endsWith(".gz") ? SafeTensors.read(path.toString(), gunzip(path)) : SafeTensors.read(path);
        Map<String, String> meta = new LinkedHashMap<>(f.metadata());
        String where = path + ": ";
        if (!FORMAT.equals(meta.get("format")) || !meta.containsKey("config") || !meta.containsKey("train") || !meta.containsKey("steps")) {
            throw new IllegalArgumentException(where + "not a steps file (its metadata lacks format " + FORMAT + ", steps, config or train): "
                    + "give a file written by train --dump-steps or bench/pytorch_equivalence.py");
        }
        ModelConfig config = ConfigJson.fromJson(meta.get("config"));
        int k = parseSteps(meta.get("steps"), where);
        Parameters initial = ParamLayout.layout(config);   // names, shapes and which are trainable; values read below
        for (Tensor t : initial) read(f, t.name(), t, where);
        List<Batch> batches = new ArrayList<>(k);
        for (int s = 1; s <= k; s++) batches.add(batch(f, s, where));
        SortedMap<Integer, Parameters> weights = new TreeMap<>();
        for (int s = 1; s <= k; s++) {
            if (!f.has("weights/" + s + "/" + firstTrainable(initial))) continue;
            List<Tensor> ts = new ArrayList<>();
            for (Tensor t : initial) {
                if (!t.trainable()) continue;
                Tensor after = t.zerosLike();
                read(f, "weights/" + s + "/" + t.name(), after, where);
                ts.add(after);
            }
            weights.put(s, new Parameters(ts));
        }
        for (String key : List.of("format", "steps", "config", "train")) meta.remove(key);
        String train = f.metadata().get("train");
        return new StepsFile(config, train, initial, batches, vector(f, "lr", k, where), vector(f, "loss", k, where), vector(f, "grad_norm", k, where),
                Collections.unmodifiableSortedMap(weights), meta);
    }

    private static byte[] gunzip(Path path) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(path))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read it as gzip (" + e.getMessage() + "): give a .safetensors file, or a gzipped one named .gz");
        }
    }

    private static Batch batch(SafeTensorsFile f, int step, String where) {
        String in = "batch/" + step + "/input", out = "batch/" + step + "/target";
        if (!f.has(in) || !f.has(out)) throw new IllegalArgumentException(where + "the batch of step " + step + " is missing: the file is damaged; write it again");
        int[] shape = f.shape(in);
        if (shape.length != 2 || !Arrays.equals(shape, f.shape(out)) || shape[0] < 1 || shape[1] < 1) {
            throw new IllegalArgumentException(where + "the batch of step " + step + " has shapes " + Arrays.toString(shape) + " and " + Arrays.toString(f.shape(out))
                    + ", not one [B, T]: the file is damaged; write it again");
        }
        return new Batch(shape[0], shape[1], f.i32(in), f.i32(out));
    }

    private static double[] vector(SafeTensorsFile f, String name, int k, String where) {
        if (!f.has(name) || !Arrays.equals(f.shape(name), new int[] {k})) {
            throw new IllegalArgumentException(where + "tensor " + name + " is missing or is not [" + k + "]: the file is damaged; write it again");
        }
        return f.f64(name);
    }

    private static void read(SafeTensorsFile f, String name, Tensor into, String where) {
        if (!f.has(name)) throw new IllegalArgumentException(where + "tensor " + name + " is missing: the file was written for another model or is damaged");
        if (!Arrays.equals(f.shape(name), into.shape()) || f.dtype(name) != DType.F32) {
            throw new IllegalArgumentException(where + "tensor " + name + " is " + f.dtype(name) + " " + Arrays.toString(f.shape(name)) + " but the config says F32 "
                    + Arrays.toString(into.shape()) + ": the file is damaged or its config was edited");
        }
        f.f32(name, into.data());
    }

    private static String firstTrainable(Parameters ps) {
        for (Tensor t : ps) if (t.trainable()) return t.name();
        return "";
    }

    private static int parseSteps(String s, String where) {
        try {
            int k = Integer.parseInt(s);
            if (k >= 1) return k;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(where + "steps '" + s + "' is not a step count: the file is damaged; write it again");
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
