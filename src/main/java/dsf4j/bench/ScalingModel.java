package dsf4j.bench;

import dsf4j.model.ParamLayout;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How data-parallel training would scale over N machines, modelled from what one machine measures:
 * its step time on the preset's whole global batch B, and the gradient's size. Strong scaling (the
 * global batch stays the paper's B and N divides it, as {@code train} requires; each machine computes
 * B/N rows, its compute time taken to shrink in proportion), the gradient summed by a ring all-reduce
 * with no overlap:
 * <pre>
 * t_c(N)  = t_1 / N
 * t_ar(N) = 2(N−1)/N · S / (η · link/8) + 2(N−1) · α      (S bytes; ring: 2(N−1) steps of S/N each)
 * E(N)    = t_c(N) / (t_c(N) + t_ar(N))                   (the speed-up over one machine, divided by N)
 * </pre>
 * with η the share of the line rate TCP reaches and α each ring step's latency. Optimistic where the
 * compute of a smaller share runs less efficiently (small GEMMs), pessimistic where the all-reduce
 * overlaps the backward (not built: {@code train.DataParallel}).
 *
 * @param stepSeconds    t_1: one machine's training step on the global batch
 * @param gradientBytes  S: the float32 gradient, every trainable tensor
 * @param globalBatch    B
 * @param linkEfficiency η
 * @param latencySeconds α
 */
public record ScalingModel(double stepSeconds, long gradientBytes, int globalBatch, double linkEfficiency, double latencySeconds) {

    /** Defaults stated with the table: TCP reaches 85% of the line rate, 30 µs per ring step. */
    public static final double ETA = 0.85, ALPHA = 30e-6;
    public static final double[] LINKS_GBPS = {10, 25, 100};
    public static final double TARGET = 0.9;

    /** Ring all-reduce time of the gradient over {@code n} machines linked at {@code gbps} Gb/s. */
    public double allReduceSeconds(int n, double gbps) {
        if (n == 1) return 0;
        return 2.0 * (n - 1) / n * gradientBytes / (linkEfficiency * gbps * 1e9 / 8) + 2.0 * (n - 1) * latencySeconds;
    }

    /** Efficiency E(N): the speed-up over one machine, divided by N. */
    public double efficiency(int n, double gbps) {
        double compute = stepSeconds / n;
        return compute / (compute + allReduceSeconds(n, gbps));
    }

    /**
     * The smallest N dividing the global batch at which E(N) falls under {@code target}; 0 when it never
     * does up to N = B (one sequence per machine).
     */
    public int firstBelow(double target, double gbps) {
        for (int n = 2; n <= globalBatch; n++) if (globalBatch % n == 0 && efficiency(n, gbps) < target) return n;
        return 0;
    }

    /**
     * The modelled table, one markdown row per preset, from {@code presetSeconds}: preset name → one
     * machine's measured step time; the gradient's size comes from the preset's model.
     */
    public static void print(Map<String, Double> presetSeconds, PrintStream out) {
        StringBuilder head = new StringBuilder("| preset | step on 1 machine | gradient |");
        StringBuilder rule = new StringBuilder("|---|---|---|");
        for (double g : LINKS_GBPS) {
            head.append(String.format(Locale.ROOT, " %s Gb/s: E(4), E(16) | %s Gb/s: E < 90%% from N = |", fmt(g), fmt(g)));
            rule.append("---|---|");
        }
        List<String> rows = new ArrayList<>();   // every preset checked before anything is printed
        for (Map.Entry<String, Double> e : presetSeconds.entrySet()) {
            BenchPresets.Preset p = BenchPresets.get(e.getKey());
            long bytes = 4 * ParamLayout.layout(p.config()).trainableCount();
            ScalingModel m = new ScalingModel(e.getValue(), bytes, p.batch(), ETA, ALPHA);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %.2f s | %.1f MB |", p.name(), m.stepSeconds(), bytes / 1e6));
            for (double g : LINKS_GBPS) {
                int n = m.firstBelow(TARGET, g);
                row.append(String.format(Locale.ROOT, " %.0f%%, %.0f%% | %s |", 100 * m.efficiency(4, g), 100 * m.efficiency(16, g),
                        n == 0 ? "never (N ≤ " + p.batch() + ")" : Integer.toString(n)));
            }
            rows.add(row.toString());
        }
        out.println(head);
        out.println(rule);
        rows.forEach(out::println);
        out.printf(Locale.ROOT, "(strong scaling at the preset's global batch, N dividing it; ring all-reduce, no overlap; TCP at %.0f%% of the line rate, "
                + "%.0f µs per ring step)%n",
                100 * ETA, ALPHA * 1e6);
    }

    private static String fmt(double g) {
        return g == Math.rint(g) ? Long.toString((long) g) : Double.toString(g);
    }
}
