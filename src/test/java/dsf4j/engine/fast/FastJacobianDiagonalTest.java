package dsf4j.engine.fast;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.ModelConfig;
import dsf4j.engine.GradientProbe;
import dsf4j.engine.reference.ReferenceEngine;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast kernels' closed-form Jacobian diagonal (CellKernel.jacobianDiagonalRow, from the forward's
 * gate cache), averaged as Engine.meanJacobianDiagonal says, against the reference cells' (themselves
 * held to finite differences in JacobianDiagonalTest): every cell and block, from zero and from a
 * carried state, and the same bits at one and two threads. Tagged "width".
 */
@Tag("width")
class FastJacobianDiagonalTest {

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (CellType c : CellType.values()) for (BlockType b : BlockType.values()) out.add(Arguments.of(c, b));
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void theMeanDiagonalMatchesTheReference(CellType cell, BlockType block) {
        ModelConfig c = FastEngineTest.config(cell, block);   // H = 20: vector body and scalar tail at every width
        Parameters params = ParamLayout.init(c, 12);
        sharpen(params);
        Batch batch = GradientProbe.randomBatch(c, 18, 9, 3);   // some targets are pad: those steps do not count
        Random rng = new Random(4);
        float[][] state = new float[c.layers()][18 * c.stateSize()];
        for (float[] s : state) for (int i = 0; i < s.length; i++) s[i] = (float) (0.5 * rng.nextGaussian());
        for (float[][] s0 : new float[][][] {null, state}) {
            float[][] keep = s0 == null ? null : java.util.Arrays.stream(s0).map(float[]::clone).toArray(float[][]::new);
            double[][] ref = new double[c.layers()][c.stateSize()], fast = new double[c.layers()][c.stateSize()];
            long nRef = new ReferenceEngine(c, DsfSolver.SCAN).meanJacobianDiagonal(params, batch, s0, ref);
            long nFast;
            try (FastEngine e = new FastEngine(c, DsfSolver.SCAN, 2)) {
                nFast = e.meanJacobianDiagonal(params, batch, s0, fast);
            }
            assertEquals(nRef, nFast, "positions counted");
            assertTrue(nRef > 0 && nRef < 18 * 8, "some but not all of the B·(T − 1) positions: " + nRef);
            for (int l = 0; l < c.layers(); l++) {
                double err = dsf4j.TestData.relativeError(ref[l], fast[l]);
                assertTrue(err < 1e-5, cell + " " + block + " layer " + l + (s0 == null ? "" : " (carried state)") + ": relative error " + err);
                assertTrue(dsf4j.TestData.norm(ref[l]) > 0.1, "a diagonal this small would prove little");
            }
            if (s0 != null) for (int l = 0; l < s0.length; l++) assertArrayEquals(keep[l], s0[l], 0f, "the carried state is read, not advanced");
        }
    }

    @Test
    void theSameBitsAtOneAndTwoThreads() {
        for (CellType cell : CellType.values()) {
            ModelConfig c = FastEngineTest.config(cell, BlockType.TRANSFORMER);
            Parameters params = ParamLayout.init(c, 5);
            Batch batch = GradientProbe.randomBatch(c, 33, 12, 6);
            double[][] one = new double[c.layers()][c.stateSize()], two = new double[c.layers()][c.stateSize()];
            try (FastEngine a = new FastEngine(c, DsfSolver.SCAN, 1); FastEngine b = new FastEngine(c, DsfSolver.SCAN, 2)) {
                a.meanJacobianDiagonal(params, batch, null, one);
                b.meanJacobianDiagonal(params, batch, null, two);
            }
            for (int l = 0; l < c.layers(); l++) assertArrayEquals(one[l], two[l], 0.0, cell + " layer " + l);
        }
    }

    /** Recurrent weights of order 1, so that every term of the closed form is of a size a mistake would show. */
    static void sharpen(Parameters params) {
        Random rng = new Random(7);
        for (var t : params) {
            if (t.name().contains("weight_hh")) for (int i = 0; i < t.size(); i++) t.data()[i] = (float) (0.6 * rng.nextGaussian());
        }
    }
}
