package dsf4j.grad;

import dsf4j.TestData;
import dsf4j.config.DsfSolver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class DiagonalSolverTest {

    /** eq. 14 summed directly: δ_t = Σ_{k=0}^{T−1−t} λ^k e_{t+k}, with λ^k by Math.pow. */
    static double[][] closedForm(double[][] e, double[] lambda) {
        int steps = e.length, n = e[0].length, d = lambda.length;
        double[][] delta = new double[steps][n];
        for (int t = 0; t < steps; t++) {
            for (int c = 0; c < n; c++) {
                double s = 0;
                for (int k = 0; t + k < steps; k++) s += Math.pow(lambda[c % d], k) * e[t + k][c];
                delta[t][c] = s;
            }
        }
        return delta;
    }

    static double[][] randomE(int steps, int n, long seed) {
        Random rng = new Random(seed);
        double[][] e = new double[steps][n];
        for (double[] row : e) for (int c = 0; c < n; c++) row[c] = rng.nextGaussian();
        return e;
    }

    static double[] lambdas(int d) {
        double[] l = new double[d];   // 0, small, mid, near 1 and 1 itself
        double[] pick = {0, 1e-3, 0.3, 0.9, 0.999, 1};
        for (int i = 0; i < d; i++) l[i] = pick[i % pick.length];
        return l;
    }

    static double[] flat(double[][] m) {
        return java.util.Arrays.stream(m).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    @ParameterizedTest
    @CsvSource({"SCAN,1", "SCAN,2", "SCAN,7", "SCAN,64", "SCAN,300",
            "PREFIX,1", "PREFIX,2", "PREFIX,7", "PREFIX,64", "PREFIX,300",
            "FFT,1", "FFT,2", "FFT,7", "FFT,64", "FFT,300"})
    void everySolverEqualsTheClosedFormOfEq14(DsfSolver kind, int steps) {
        int b = 2, d = 6;
        double[] lambda = lambdas(d);
        double[][] e = randomE(steps, b * d, 42 + steps);
        double[][] expected = closedForm(e, lambda);
        DiagonalSolver.of(kind).solve(e, lambda);
        double err = TestData.relativeError(flat(e), flat(expected));
        assertTrue(err < 1e-10, kind + " T=" + steps + " relative error " + err);
        for (double v : flat(e)) assertTrue(Double.isFinite(v));
    }

    @ParameterizedTest
    @EnumSource(value = DsfSolver.class, names = {"SCAN", "PREFIX"})
    void lambdaZeroLeavesEUnchangedExactly(DsfSolver kind) {
        double[][] e = randomE(33, 10, 7);
        double[][] before = java.util.Arrays.stream(e).map(double[]::clone).toArray(double[][]::new);
        DiagonalSolver.of(kind).solve(e, new double[5]);
        for (int t = 0; t < e.length; t++) assertArrayEquals(before[t], e[t], 0.0);
    }

    @ParameterizedTest
    @EnumSource(DsfSolver.class)
    void eachChannelUsesItsOwnLambda(DsfSolver kind) {
        // One impulse at the last step: δ_t = λ_i^{T−1−t} on channel i, for both batch rows.
        int steps = 5, d = 3;
        double[] lambda = {0.5, 0.25, 1};
        double[][] e = new double[steps][2 * d];
        java.util.Arrays.fill(e[steps - 1], 1);
        DiagonalSolver.of(kind).solve(e, lambda);
        for (int t = 0; t < steps; t++) {
            for (int c = 0; c < 2 * d; c++) assertEquals(Math.pow(lambda[c % d], steps - 1 - t), e[t][c], 1e-12);
        }
    }
}
