package dsf4j.engine.reference;

import dsf4j.TestData;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.LambdaInit;
import dsf4j.config.ModelConfig;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Stream mode's carried state: a sequence cut in two with the state carried reads like the whole. */
class CarriedStateTest {

    @ParameterizedTest
    @EnumSource(CellType.class)
    void twoHalvesWithCarriedStateEqualTheWholeSequence(CellType cell) {
        ModelConfig config = TestData.config(cell, BlockType.TRANSFORMER, 2, 4, LambdaInit.DEFAULT);
        ReferenceModel model = new ReferenceModel(config, ParamLayout.init(config, 5));
        int b = 2, steps = 8, half = 4;
        Batch whole = TestData.batch(config.vocab(), b, steps, 6);
        Batch first = slice(whole, 0, half), second = slice(whole, half, steps);

        double[][] state = new double[config.layers()][b * config.stateSize()];
        double cut = model.evaluate(first, state).sum() + model.evaluate(second, state).sum();
        double[][] end = new double[config.layers()][b * config.stateSize()];
        assertEquals(model.evaluate(whole, end).sum(), cut, 1e-12);
        for (int l = 0; l < config.layers(); l++) assertArrayEquals(end[l], state[l], 1e-14);
    }

    static Batch slice(Batch batch, int from, int to) {
        int n = to - from;
        int[] in = new int[batch.batch() * n], tg = new int[batch.batch() * n];
        for (int i = 0; i < batch.batch(); i++) {
            System.arraycopy(batch.input(), i * batch.steps() + from, in, i * n, n);
            System.arraycopy(batch.target(), i * batch.steps() + from, tg, i * n, n);
        }
        return new Batch(batch.batch(), n, in, tg);
    }
}
