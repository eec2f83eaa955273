package dsf4j.engine;

import dsf4j.config.Method;
import dsf4j.io.GradsFile;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How close an approximate method's gradient is to BPTT's, the exact one, per group of tensors:
 * <pre>
 * cosine     = ⟨g, g_bptt⟩ / (‖g‖ · ‖g_bptt‖)     1: the same direction
 * norm ratio = ‖g‖ / ‖g_bptt‖                     1: the same length
 * </pre>
 * over the concatenation of the group's tensors. Groups, top down: {@code head} (head, final
 * LayerNorm), {@code layers.L-1} … {@code layers.0}, {@code embedding}. DSF and FT-BPTT change δ
 * inside each recurrent layer and so what flows down: the head's gradient is exact in every method,
 * the top layer's recurrent weights are the first to differ, and the error compounds with depth.
 *
 * @param group  the group's name
 * @param cosine NaN when either gradient is zero
 */
public record GradientAgreement(String group, Method method, double cosine, double normRatio) {

    /** For every method of {@code f} other than BPTT, every group: BPTT must be in the file. */
    public static List<GradientAgreement> of(GradsFile f) {
        Map<String, double[]> exact = f.grads().get(Method.BPTT);
        if (exact == null) throw new IllegalArgumentException("gradient agreement needs bptt among the methods");
        List<GradientAgreement> out = new ArrayList<>();
        Map<String, List<String>> groups = groups(exact.keySet(), f.config().layers());
        for (Method m : f.methods()) {
            if (m == Method.BPTT) continue;
            Map<String, double[]> approx = f.grads().get(m);
            groups.forEach((group, names) -> {
                double dot = 0, na = 0, nb = 0;
                for (String n : names) {
                    double[] a = approx.get(n), b = exact.get(n);
                    for (int i = 0; i < a.length; i++) {
                        dot += a[i] * b[i];
                        na += a[i] * a[i];
                        nb += b[i] * b[i];
                    }
                }
                out.add(new GradientAgreement(group, m, dot / Math.sqrt(na * nb), Math.sqrt(na / nb)));
            });
        }
        return out;
    }

    /**
     * The same measurement on two gradients held as {@link Parameters} (float32, as the trainer has them),
     * over their trainable tensors.
     *
     * @param exact  BPTT's gradient, read only
     * @param approx {@code method}'s gradient, read only
     */
    public static List<GradientAgreement> of(Parameters exact, Parameters approx, Method method, int layers) {
        List<String> names = new ArrayList<>();
        for (Tensor t : exact) if (t.trainable()) names.add(t.name());
        List<GradientAgreement> out = new ArrayList<>();
        groups(names, layers).forEach((group, members) -> {
            double dot = 0, na = 0, nb = 0;
            for (String n : members) {
                float[] a = approx.data(n), b = exact.data(n);
                for (int i = 0; i < a.length; i++) {
                    dot += (double) a[i] * b[i];
                    na += (double) a[i] * a[i];
                    nb += (double) b[i] * b[i];
                }
            }
            out.add(new GradientAgreement(group, method, dot / Math.sqrt(na * nb), Math.sqrt(na / nb)));
        });
        return out;
    }

    /** Tensor names by group, head first, then the layers from the top, then the embedding. */
    static Map<String, List<String>> groups(Iterable<String> names, int layers) {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put("head", new ArrayList<>());
        for (int l = layers - 1; l >= 0; l--) g.put("layers." + l, new ArrayList<>());
        g.put("embedding", new ArrayList<>());
        for (String n : names) {
            String group = n.startsWith("embedding.") ? "embedding" : n.startsWith("layers.") ? n.substring(0, n.indexOf('.', "layers.".length())) : "head";
            g.get(group).add(n);
        }
        g.values().removeIf(List::isEmpty);
        return g;
    }
}
