package dsf4j.io;

import dsf4j.config.ConfigJson;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.model.Batch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code grads} file: one model, one batch, and the loss and gradient of every method, all in one
 * safetensors file a 10-line Python script can load into PyTorch.
 * <pre>
 * param/&lt;name&gt;            F64   every tensor of ParamLayout (λ included)
 * batch/input, batch/target  I64   [B, T]
 * loss/&lt;method&gt;            F64   []                      method ∈ bptt, ftbptt, dsf
 * grad/&lt;method&gt;/&lt;name&gt;     F64   every trainable tensor
 * __metadata__.config        the model config as JSON (cell, block, layers, hidden, vocab, pad_id, lambda_init)
 * </pre>
 *
 * @param params  name → (shape, values), in layout order
 * @param losses  method → L
 * @param grads   method → (name → dL/dθ), for the trainable tensors
 * @param extra   further metadata (engine, solver, seed, version)
 */
public record GradsFile(ModelConfig config, Map<String, int[]> shapes, Map<String, double[]> params, Batch batch,
                        Map<Method, Double> losses, Map<Method, Map<String, double[]>> grads, Map<String, String> extra) {

    public void write(Path path) throws IOException {
        SafeTensors.Writer w = SafeTensors.writer().metadata("config", ConfigJson.toJson(config).toString());
        extra.forEach(w::metadata);
        params.forEach((name, values) -> w.f64("param/" + name, shapes.get(name), values));
        int[] bt = {batch.batch(), batch.steps()};
        w.i64("batch/input", bt, toLong(batch.input()));
        w.i64("batch/target", bt, toLong(batch.target()));
        for (Method m : losses.keySet()) {
            w.f64("loss/" + m.id(), new int[0], new double[] {losses.get(m)});
            grads.get(m).forEach((name, g) -> w.f64("grad/" + m.id() + "/" + name, shapes.get(name), g));
        }
        w.write(path);
    }

    /** Reads a file written by {@link #write}; the methods present are those with a loss entry. */
    public static GradsFile read(Path path) {
        SafeTensorsFile f = SafeTensors.read(path);
        String json = f.metadata().get("config");
        if (json == null) throw new IllegalArgumentException(path + " has no 'config' metadata: it was not written by `dsf4j grads`");
        ModelConfig config = ConfigJson.fromJson(json);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<String, double[]> params = new LinkedHashMap<>();
        for (String n : f.names()) {
            if (n.startsWith("param/")) {
                String name = n.substring("param/".length());
                shapes.put(name, f.shape(n));
                params.put(name, f.f64(n));
            }
        }
        int[] bt = f.shape("batch/input");
        Batch batch = new Batch(bt[0], bt[1], toInt(f.i64("batch/input")), toInt(f.i64("batch/target")));
        Map<Method, Double> losses = new LinkedHashMap<>();
        Map<Method, Map<String, double[]>> grads = new LinkedHashMap<>();
        List<Method> present = new java.util.ArrayList<>(Method.values());   // the paper's three first, then any other (hybrid:K)
        for (String n : f.names()) {
            if (n.startsWith("loss/") && !present.contains(Method.parse(n.substring("loss/".length())))) present.add(Method.parse(n.substring("loss/".length())));
        }
        for (Method m : present) {
            if (!f.has("loss/" + m.id())) continue;
            losses.put(m, f.f64("loss/" + m.id())[0]);
            Map<String, double[]> g = new LinkedHashMap<>();
            String prefix = "grad/" + m.id() + "/";
            for (String n : f.names()) if (n.startsWith(prefix)) g.put(n.substring(prefix.length()), f.f64(n));
            grads.put(m, g);
        }
        Map<String, String> extra = new LinkedHashMap<>(f.metadata());
        extra.remove("config");
        return new GradsFile(config, shapes, params, batch, losses, grads, extra);
    }

    public List<Method> methods() {
        return List.copyOf(losses.keySet());
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    private static int[] toInt(long[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            if (a[i] < Integer.MIN_VALUE || a[i] > Integer.MAX_VALUE) throw new IllegalArgumentException("token id " + a[i] + " does not fit in an int");
            out[i] = (int) a[i];
        }
        return out;
    }
}
