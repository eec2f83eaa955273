package dsf4j.engine.fast;

import dsf4j.config.DsfSolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The activations against Math in double, and the float DSF solvers against the plain recurrence. */
@Tag("width")
class VectorMathTest {

    @Test
    void theForcedWidthIsTheOneInUse() {
        String forced = System.getProperty("dsf4j.vectorBits");
        if (forced != null && !forced.isBlank()) assertEquals(Integer.parseInt(forced), Simd.BITS);
    }

    private interface Pass { void apply(float[] a, int from, int to); }
    private interface ScalarFn { float apply(float x); }

    /** The vector pass (whole array, tails included) and the scalar form, both against the exact value. */
    private static void check(String name, Pass pass, ScalarFn sf, DoubleUnaryOperator exact, double lo, double hi, double relTol, double absTol) {
        Random r = new Random(1);
        float[] x = new float[4099];
        for (int i = 0; i < x.length; i++) x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        float[] vy = x.clone();
        pass.apply(vy, 0, vy.length);
        for (int i = 0; i < x.length; i++) {
            double e = exact.applyAsDouble(x[i]);
            double tol = Math.max(relTol * Math.abs(e), absTol);
            int at = i;
            assertTrue(Math.abs(vy[i] - e) <= tol, () -> name + "(" + x[at] + ") = " + vy[at] + ", exact " + e);
            assertTrue(Math.abs(sf.apply(x[i]) - e) <= tol, () -> name + " scalar (" + x[at] + ")");
        }
    }

    @Test
    void activationsAreAccurate() {
        check("exp", (a, f, t) -> VectorMath.expInPlace(a, f, t, 1f, 0f), VectorMath::exp, Math::exp, -80, 80, 3e-7, 0);
        check("tanh", VectorMath::tanhInPlace, VectorMath::tanh, Math::tanh, -12, 12, 1e-6, 1e-7);
        check("sigmoid", VectorMath::sigmoidInPlace, VectorMath::sigmoid, v -> 1 / (1 + Math.exp(-v)), -30, 30, 1e-6, 1e-12);
        // GELU's erf approximation is good to 1.5e-7 absolute (float rounding level)
        float[] scratch = new float[1000];
        check("gelu", (a, f, t) -> VectorMath.gelu(a.clone(), a, f, t, scratch), VectorMath::gelu,
                v -> 0.5 * v * (1 + erf(v / Math.sqrt(2))), -5, 5, 1e-6, 5e-7);
        check("gelu'", (a, f, t) -> {
            float[] ones = new float[a.length];
            java.util.Arrays.fill(ones, 1f);
            VectorMath.geluBackward(a.clone(), ones, a, f, t, scratch);
        }, VectorMath::geluDerivative, v -> 0.5 * (1 + erf(v / Math.sqrt(2))) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI), -5, 5, 1e-6, 5e-7);
    }

    /** erf by its Maclaurin series, in double (accurate for the |x| &lt; 4 used here). */
    private static double erf(double x) {
        if (Math.abs(x) > 5.5) return Math.signum(x);
        double term = x, sum = x, x2 = x * x;
        for (int n = 1; n < 200; n++) {
            term *= -x2 / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void everySolverSolvesTheRecurrence() {
        int steps = 37, batch = 3, d = 21;
        Random r = new Random(4);
        float[] lambda = new float[d], e = new float[steps * batch * d];
        for (int i = 0; i < d; i++) lambda[i] = i / (float) (d - 1);      // includes λ = 0 and λ = 1
        for (int i = 0; i < e.length; i++) e[i] = (float) r.nextGaussian();
        double[] expected = new double[e.length];                         // δ_t = e_t + λ ⊙ δ_{t+1}, in double
        int n = batch * d;
        for (int t = steps - 1; t >= 0; t--) {
            for (int c = 0; c < n; c++) expected[t * n + c] = e[t * n + c] + (t < steps - 1 ? lambda[c % d] * expected[(t + 1) * n + c] : 0);
        }
        for (DsfSolver kind : DsfSolver.values()) {
            float[] x = e.clone();
            new DiagonalSolvers(kind, steps, batch, d).solve(x, lambda);
            for (int i = 0; i < x.length; i++) {
                assertEquals(expected[i], x[i], 1e-4 * (1 + Math.abs(expected[i])), kind + " at " + i);
            }
        }
    }
}
