package dsf4j.train;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PresetsTest {

    @Test
    void everyPaperConfigurationIsThere() {
        assertEquals(1 + 4 + 2 * 9, Presets.names().size());   // quickstart, PTB, WikiText-103 and -2
        for (String n : new String[] {"ptb-gru-1l256", "ptb-gru-3l1024", "wt103-gru-12l512", "wt103-gru-3l128", "wt103-lstm-3l512", "wt2-rnn-3l512", "wt2-gru-6l512"}) {
            assertTrue(Presets.names().contains(n), n);
        }
    }

    @Test
    void quickstartIsAShortPtbDsfRun() {
        TrainConfig q = Presets.get(Presets.QUICKSTART), p = Presets.get("ptb-gru-1l256");
        assertEquals(p.data(), q.data());
        assertEquals(Method.DSF, q.method());
        assertEquals(p.hidden(), q.hidden());
        assertEquals(2, q.epochs());
        assertEquals("const", q.schedule());
        assertEquals("fast", q.engine());
    }

    @Test
    void ptbUsesTheAuthorsSchedule() {
        TrainConfig c = Presets.get("ptb-gru-3l1024");
        assertEquals("ptb", c.data());
        assertEquals(CellType.GRU, c.cell());
        assertEquals(BlockType.RESIDUAL, c.block());
        assertEquals(3, c.layers());
        assertEquals(1024, c.hidden());
        assertEquals(64, c.seq());
        assertEquals(128, c.batch());
        assertEquals(30, c.epochs());
        assertEquals(1e-3, c.lr());
        assertEquals(OptimizerKind.ADAM, c.optimizer());
        assertEquals(1e-4, c.weightDecay());
        assertEquals("step:10,20:0.1", c.schedule());
        assertEquals(0, c.clip());
        assertEquals(Method.DSF, c.method());
        assertEquals(LambdaInit.DEFAULT, c.lambdaInit());
    }

    @Test
    void wikitextUsesTheAuthorsSchedule() {
        TrainConfig c = Presets.get("wt103-gru-3l512");
        assertEquals("wikitext-103", c.data());
        assertEquals(BlockType.TRANSFORMER, c.block());
        assertEquals(255, c.seq());
        assertEquals(5, c.epochs());
        assertEquals(0, c.weightDecay());
        assertEquals("cosine:0.1:0.1", c.schedule());
        TrainConfig rnn = Presets.get("wt2-rnn-3l512");
        assertEquals("wikitext-2", rnn.data());
        assertEquals(CellType.RNN, rnn.cell());
        assertEquals(5e-4, rnn.lr());
        assertEquals(1.0, rnn.clip());
    }

    @Test
    void runLengthAndExecutionMayChangeOnResumeButNothingElse() {
        TrainConfig a = Presets.get("ptb-gru-1l256");
        TrainConfig longer = new TrainConfig(a.data(), a.cell(), a.block(), a.layers(), a.hidden(), a.lambdaInit(), a.method(), a.dsfSolver(), a.seq(),
                a.batch(), 40, 5000, a.lr(), a.optimizer(), a.weightDecay(), a.schedule(), a.clip(), a.seed(), 1, 10, "fast");
        assertNull(a.resumeConflict(longer));
        TrainConfig other = new TrainConfig(a.data(), a.cell(), a.block(), a.layers(), a.hidden(), a.lambdaInit(), Method.BPTT, a.dsfSolver(), a.seq(),
                a.batch(), a.epochs(), a.maxSteps(), a.lr(), a.optimizer(), a.weightDecay(), a.schedule(), a.clip(), a.seed(), a.threads(), a.evalEvery(), a.engine());
        assertEquals("--method bptt does not match the checkpoint's dsf: drop the flag to continue that run, or start a new run with another --out", a.resumeConflict(other));
    }

    @Test
    void unknownPresetListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Presets.get("ptb-gru-2l256"));
        assertTrue(e.getMessage().startsWith("unknown preset 'ptb-gru-2l256': use one of ptb-gru-1l256, ptb-gru-1l1024, "), e.getMessage());
    }

    @Test
    void evaluatesAboutFiftyTimesPerRunByDefault() {
        TrainConfig c = Presets.get("ptb-gru-1l256");
        assertEquals(9900, c.totalSteps(330));
        assertEquals(198, c.evalInterval(9900));
        assertEquals(1, c.evalInterval(20));
    }
}
