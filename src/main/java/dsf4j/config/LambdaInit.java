package dsf4j.config;

import java.util.Random;

/**
 * How DSF's fixed diagonal λ is chosen for one layer: {@code linspace:A:B} (both ends included, the
 * authors' default linspace:0:1), {@code uniform:A:B} (seeded) or {@code const:C}. Values lie in [0, 1].
 */
public record LambdaInit(Kind kind, double a, double b) {

    public enum Kind { LINSPACE, UNIFORM, CONST }

    public static final LambdaInit DEFAULT = new LambdaInit(Kind.LINSPACE, 0, 1);

    public LambdaInit {
        if (kind == null) throw new IllegalArgumentException("λ initialiser kind is missing");
        if (!(a >= 0 && a <= 1 && b >= 0 && b <= 1)) {
            throw new IllegalArgumentException("λ initialiser " + spec(kind, a, b) + " leaves [0, 1]: pick values between 0 and 1");
        }
        if (kind != Kind.CONST && a > b) {
            throw new IllegalArgumentException("λ initialiser " + spec(kind, a, b) + " has A > B: write it as " + spec(kind, b, a));
        }
    }

    /** Parses {@code linspace:A:B}, {@code uniform:A:B} or {@code const:C}. */
    public static LambdaInit parse(String s) {
        String[] p = s.trim().split(":");
        String usage = "malformed λ initialiser '" + s + "': use linspace:A:B, uniform:A:B or const:C with numbers in [0, 1]";
        try {
            return switch (p[0].toLowerCase()) {
                case "linspace" -> { if (p.length != 3) throw new IllegalArgumentException(usage); yield new LambdaInit(Kind.LINSPACE, Double.parseDouble(p[1]), Double.parseDouble(p[2])); }
                case "uniform" -> { if (p.length != 3) throw new IllegalArgumentException(usage); yield new LambdaInit(Kind.UNIFORM, Double.parseDouble(p[1]), Double.parseDouble(p[2])); }
                case "const" -> { if (p.length != 2) throw new IllegalArgumentException(usage); double c = Double.parseDouble(p[1]); yield new LambdaInit(Kind.CONST, c, c); }
                default -> throw new IllegalArgumentException(usage);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(usage);
        }
    }

    /**
     * Fills λ for one layer of width D.
     *
     * @param lambda output, length D, overwritten
     * @param rng    used only by {@code uniform}
     */
    public void fill(float[] lambda, Random rng) {
        int d = lambda.length;
        for (int i = 0; i < d; i++) {
            lambda[i] = (float) switch (kind) {
                case LINSPACE -> d == 1 ? a : a + (b - a) * i / (d - 1);
                case UNIFORM -> a + (b - a) * rng.nextDouble();
                case CONST -> a;
            };
        }
    }

    @Override
    public String toString() {
        return spec(kind, a, b);
    }

    private static String spec(Kind kind, double a, double b) {
        return switch (kind) {
            case LINSPACE -> "linspace:" + fmt(a) + ":" + fmt(b);
            case UNIFORM -> "uniform:" + fmt(a) + ":" + fmt(b);
            case CONST -> "const:" + fmt(a);
        };
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
