package dsf4j.engine.reference;

/** Scalar activations in double precision, and the error function GELU needs. */
final class Activations {

    private Activations() {}

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** GELU(x) = x·Φ(x), Φ(x) = (1 + erf(x/√2))/2: PyTorch's nn.GELU() (the exact form). */
    static double gelu(double x) {
        return x * 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    /** dGELU/dx = Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π). */
    static double geluDerivative(double x) {
        return 0.5 * (1 + erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }

    /**
     * erf(x) to about 1e-14 (absolute): the Maclaurin series 2/√π Σ (−1)^n x^{2n+1} / (n!(2n+1)) for |x| < 2.5, and
     * 1 − erfc(x) with erfc's continued fraction (modified Lentz) beyond.
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 2.5) {
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 60 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        // erfc(a) = exp(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …)))))
        double tiny = 1e-300, f = ax, c = ax, dd = 0;
        for (int k = 1; k < 200; k++) {
            double ak = k / 2.0;
            dd = ax + ak * dd;
            dd = 1 / (Math.abs(dd) < tiny ? tiny : dd);
            c = ax + ak / c;
            if (Math.abs(c) < tiny) c = tiny;
            double step = c * dd;
            f *= step;
            if (Math.abs(step - 1) < 1e-16) break;
        }
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        return Math.copySign(1 - erfc, x);
    }
}
