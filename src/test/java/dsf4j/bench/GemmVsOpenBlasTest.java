package dsf4j.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The refusals, the statistic and the JSON line of the product-by-product comparison with OpenBLAS (the comparison itself needs PyTorch: bench/measure-cpu.sh). */
class GemmVsOpenBlasTest {

    @Test
    void at128BitsItPointsToTheFmaPeakInsteadOfAnOpenBlasKernelWithoutFma() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GemmVsOpenBlas.run(128, new int[] {1}, 3, 1.0, false, System.out));
        assertTrue(e.getMessage().contains("at 128 bits the reference is the FMA peak"), e.getMessage());
    }

    @Test
    void aProductsFigureIsTheMedianOfItsRoundsSoOneDisturbedRoundDoesNotMoveIt() {
        assertEquals(1.0, StepBench.median(new double[] {1.0, 0.4, 1.1}));
        assertEquals(0.95, StepBench.median(new double[] {1.0, 0.9, 0.2, 1.3}), 1e-12);
    }

    @Test
    void aProductsJsonLineCarriesEveryRoundsRatioInOrderSoRunsCanBePooledRoundByRound() {
        var p = new GemmVsOpenBlas.Product("256,8192,768", "NN", 1, "Cooperlake", 160.04, 170.0, 0.95, 0.9, new double[] {0.95, 0.9, 1.0004});
        var o = com.google.gson.JsonParser.parseString(GemmVsOpenBlas.jsonLine(p)).getAsJsonObject();
        assertEquals(3, o.get("rounds").getAsInt());
        assertEquals("[0.95,0.9,1.0]", o.get("ratios").toString());
        assertEquals(160.0, o.get("dsf4j_gflops").getAsDouble());
        assertEquals("256,8192,768", o.get("mkn").getAsString());
    }
}
