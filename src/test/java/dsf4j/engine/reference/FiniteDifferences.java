package dsf4j.engine.reference;

import java.util.function.DoubleSupplier;

/** Central differences in double precision: (f(θ + ε) − f(θ − ε)) / 2ε for every entry of an array. */
final class FiniteDifferences {

    static final double EPS = 1e-5;

    private FiniteDifferences() {}

    /** ∂f/∂a_i for every i; a is restored after each probe. */
    static double[] gradient(double[] a, DoubleSupplier f) {
        double[] g = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double keep = a[i];
            a[i] = keep + EPS;
            double up = f.getAsDouble();
            a[i] = keep - EPS;
            double down = f.getAsDouble();
            a[i] = keep;
            g[i] = (up - down) / (2 * EPS);
        }
        return g;
    }
}
