package dsf4j.train;

import java.util.Arrays;

/**
 * The learning rate at each optimizer step (steps count from 0). Written as {@code --schedule}:
 * <ul>
 * <li>{@code const}: lr throughout;</li>
 * <li>{@code step:10,20:0.1}: lr × 0.1^k where k counts the listed epochs already reached (torch's
 *     MultiStepLR; the authors' PTB schedule; the factor defaults to 0.1);</li>
 * <li>{@code cosine:0.1:0.1}: linear warm-up over the first 10% of the steps, lr·(s+1)/W, then a
 *     cosine from lr down to 0.1·lr at the last step (the authors' WikiText-103 schedule; both
 *     numbers default to 0.1).</li>
 * </ul>
 */
public sealed interface LrSchedule {

    /** The learning rate of step {@code step} (0-based). */
    double at(long step);

    record Const(double lr) implements LrSchedule {
        public double at(long step) {
            return lr;
        }
    }

    /** MultiStepLR: × factor at each of the given epochs (0-based epoch index = step / stepsPerEpoch). */
    record Step(double lr, long stepsPerEpoch, int[] epochs, double factor) implements LrSchedule {
        public double at(long step) {
            long epoch = step / stepsPerEpoch;
            double r = lr;
            for (int e : epochs) if (epoch >= e) r *= factor;
            return r;
        }
    }

    /** Linear warm-up over {@code warmupSteps}, then a half cosine to {@code floor} at step totalSteps − 1. */
    record WarmupCosine(double lr, long totalSteps, long warmupSteps, double floor) implements LrSchedule {
        public double at(long step) {
            if (step < warmupSteps) return lr * (step + 1) / warmupSteps;
            long span = totalSteps - 1 - warmupSteps;
            double progress = span <= 0 ? 1 : Math.min(1.0, (double) (step - warmupSteps) / span);
            return floor + (lr - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }
    }

    /**
     * Parses a {@code --schedule} spec.
     *
     * @param stepsPerEpoch optimizer steps in one epoch (for {@code step})
     * @param totalSteps    optimizer steps in the whole run (for {@code cosine})
     */
    static LrSchedule parse(String spec, double lr, long stepsPerEpoch, long totalSteps) {
        String usage = "malformed --schedule '" + spec + "': use const, step:EPOCHS[:FACTOR] (e.g. step:10,20:0.1) or cosine[:WARMUP:FLOOR] (e.g. cosine:0.1:0.1)";
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0 (got " + lr + ")");
        String[] p = spec.trim().toLowerCase().split(":", -1);
        try {
            switch (p[0]) {
                case "const" -> {
                    if (p.length != 1) throw new IllegalArgumentException(usage);
                    return new Const(lr);
                }
                case "step" -> {
                    if (p.length < 2 || p.length > 3) throw new IllegalArgumentException(usage);
                    int[] epochs = Arrays.stream(p[1].split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                    double factor = p.length == 3 ? Double.parseDouble(p[2]) : 0.1;
                    for (int e : epochs) if (e < 1) throw new IllegalArgumentException(usage + " (epochs count from 1)");
                    if (!(factor > 0)) throw new IllegalArgumentException(usage + " (the factor must be > 0)");
                    return new Step(lr, Math.max(1, stepsPerEpoch), epochs, factor);
                }
                case "cosine" -> {
                    if (p.length != 1 && p.length != 3) throw new IllegalArgumentException(usage);
                    double warmup = p.length == 3 ? Double.parseDouble(p[1]) : 0.1;
                    double floor = p.length == 3 ? Double.parseDouble(p[2]) : 0.1;
                    if (!(warmup >= 0 && warmup < 1) || !(floor >= 0 && floor <= 1)) {
                        throw new IllegalArgumentException(usage + " (warm-up fraction in [0, 1), floor fraction in [0, 1])");
                    }
                    long total = Math.max(1, totalSteps);
                    return new WarmupCosine(lr, total, Math.round(warmup * total), floor * lr);
                }
                default -> throw new IllegalArgumentException(usage);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(usage);
        }
    }
}
