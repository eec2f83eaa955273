package dsf4j.engine.reference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ActivationsTest {

    @Test
    void erfMatchesTabulatedValues() {
        // Values from the standard tables (the C library's erf, correctly rounded to double).
        double[][] table = {{0, 0}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
                {-1.5, -0.9661051464753108}, {2, 0.9953222650189527}, {2.4999, 0.9995928300996666}, {2.5, 0.9995930479825550},
                {3, 0.9999779095030014}, {-4, -0.9999999845827421}, {6, 1.0}};
        for (double[] row : table) assertEquals(row[1], Activations.erf(row[0]), 1e-14, "erf(" + row[0] + ")");
    }

    @Test
    void geluDerivativeMatchesFiniteDifferences() {
        for (double x = -5; x <= 5; x += 0.37) {
            double fd = (Activations.gelu(x + 1e-6) - Activations.gelu(x - 1e-6)) / 2e-6;
            assertEquals(fd, Activations.geluDerivative(x), 1e-8, "x = " + x);
        }
    }
}
