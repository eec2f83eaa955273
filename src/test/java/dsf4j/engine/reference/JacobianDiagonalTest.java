package dsf4j.engine.reference;

import dsf4j.TestData;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import dsf4j.model.ParamLayout;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each cell's closed-form diag(∂s/∂s_{t−1}) (what DSF's fixed λ stands in for, and what an adaptive λ
 * would be read from) against central finite differences of the cell's forward at a random state.
 */
class JacobianDiagonalTest {

    static final int B = 3, H = 5;

    /** J[b][i][k] = ∂s_{b,i}/∂sPrev_{b,k}, by central differences. */
    static double[][][] finiteDifferenceJacobian(ReferenceCell cell, DMatrixRMaj x, DMatrixRMaj sPrev) {
        int d = cell.stateSize();
        double[][][] j = new double[B][d][d];
        double eps = 1e-6;
        for (int b = 0; b < B; b++) {
            for (int k = 0; k < d; k++) {
                DMatrixRMaj plus = sPrev.copy(), minus = sPrev.copy(), sp = new DMatrixRMaj(B, d), sm = new DMatrixRMaj(B, d);
                plus.data[b * d + k] += eps;
                minus.data[b * d + k] -= eps;
                cell.forward(x, plus, sp);
                cell.forward(x, minus, sm);
                for (int i = 0; i < d; i++) j[b][i][k] = (sp.data[b * d + i] - sm.data[b * d + i]) / (2 * eps);
            }
        }
        return j;
    }

    static ReferenceCell cell(CellType type, long seed) {
        ModelConfig config = TestData.config(type, BlockType.RESIDUAL, 1, H, LambdaInit.DEFAULT);
        ReferenceModel model = new ReferenceModel(config, ParamLayout.init(config, seed));
        BpttFiniteDifferenceTest.sharpen(model);   // weights of order 1: every term of the closed form matters
        return model.cellOf(0);
    }

    static DMatrixRMaj gaussian(Random rng, int rows, int cols) {
        return DMatrixRMaj.wrap(rows, cols, DsfLocalDerivativeTest.gaussian(rng, rows * cols));
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void theClosedFormDiagonalEqualsFiniteDifferences(CellType type) {
        ReferenceCell cell = cell(type, 3);
        Random rng = new Random(4);
        DMatrixRMaj x = gaussian(rng, B, H), sPrev = gaussian(rng, B, cell.stateSize()), diag = new DMatrixRMaj(B, cell.stateSize());
        cell.jacobianDiagonal(x, sPrev, diag);
        double[][][] j = finiteDifferenceJacobian(cell, x, sPrev);
        double[] numeric = new double[diag.data.length];
        for (int b = 0; b < B; b++) for (int i = 0; i < cell.stateSize(); i++) numeric[b * cell.stateSize() + i] = j[b][i][i];
        double err = TestData.relativeError(diag.data, numeric);
        assertTrue(err < 1e-8, type + ": relative error " + err);
        assertTrue(TestData.norm(numeric) > 0.1, "a diagonal this small would prove little");
    }

    /** minGRU's h' = (1 − z) ⊙ h + z ⊙ h̃ with z, h̃ from x alone: its Jacobian has nothing off the diagonal. */
    @Test
    void minGrusJacobianIsExactlyDiagonal() {
        ReferenceCell cell = cell(CellType.MINGRU, 5);
        Random rng = new Random(6);
        double[][][] j = finiteDifferenceJacobian(cell, gaussian(rng, B, H), gaussian(rng, B, H));
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < H; i++) {
                for (int k = 0; k < H; k++) if (i != k) assertEquals(0, j[b][i][k], 1e-12, "J[" + i + "][" + k + "] of row " + b);
            }
        }
    }
}
