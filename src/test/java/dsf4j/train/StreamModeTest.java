package dsf4j.train;

import dsf4j.config.DsfSolver;
import dsf4j.config.ModelConfig;
import dsf4j.data.Dataset;
import dsf4j.data.Split;
import dsf4j.data.Tokenizer;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.model.Batch;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Stream mode: the recurrent state crosses batch boundaries, and checkpoints keep it. */
class StreamModeTest {

    @TempDir
    Path dir;

    /** TrainerTest's tiny corpus, read as streams whose state is carried from batch to batch. */
    static final Dataset STREAM = new Dataset() {
        public Tokenizer tokenizer() { return TrainerTest.DATA.tokenizer(); }
        public List<Batch> trainBatches(int batchSize, long seed, int epoch) { return TrainerTest.DATA.trainBatches(batchSize, seed, epoch); }
        public List<Batch> batches(Split split, int batchSize) { return TrainerTest.DATA.batches(split, batchSize); }
        public String provenance() { return "tiny stream"; }
        public boolean carriesState() { return true; }
    };

    static Trainer.Result train(long maxSteps, Path out, Checkpoint resume) throws IOException {
        TrainConfig c = TrainerTest.config(2, maxSteps, "const", 8);
        ModelConfig m = Trainer.modelFor(c, STREAM);
        try (Engine e = Engines.create(c.engine(), m, c.dsfSolver(), c.threads())) {
            return new Trainer(c, STREAM, e, out, new Provenance("test", "unknown", STREAM.provenance(), "train --test"),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false).run(resume);
        }
    }

    @Test
    void resumeRestoresTheCarriedStateAndContinuesBitIdentically() throws IOException {
        Trainer.Result straight = train(7, dir.resolve("straight"), null);
        Path split = dir.resolve("split");
        train(3, split, null);
        Path half = Files.copy(split.resolve(Trainer.LAST), dir.resolve("half.safetensors"));
        Checkpoint atThree = Checkpoint.load(half);
        assertNotNull(atThree.state().carried(), "a mid-epoch stream checkpoint holds the carried state");
        assertTrue(Arrays.stream(atThree.state().carried()).anyMatch(l -> l[0] != 0), "and it is not zero");
        Trainer.Result resumed = train(7, split, atThree);
        for (Tensor t : straight.finalParams()) assertArrayEquals(t.data(), resumed.finalParams().data(t.name()), 0f, t.name());

        // The carried state matters: resuming from a zero state ends elsewhere.
        Checkpoint zeroed = Checkpoint.load(half);
        Checkpoint lost = new Checkpoint(zeroed.model(), zeroed.train(), zeroed.params(), zeroed.moments(), zeroed.state().withCarried(null), zeroed.provenance());
        Trainer.Result off = train(7, dir.resolve("off"), lost);
        assertFalse(Arrays.equals(straight.finalParams().data("layers.0.rnn.weight_hh"), off.finalParams().data("layers.0.rnn.weight_hh")));
    }

    @Test
    void evaluationCarriesTheStateAcrossBatches() {
        TrainConfig c = TrainerTest.config(1, 0, "const", 8);
        ModelConfig m = Trainer.modelFor(c, STREAM);
        try (Engine e = Engines.create("reference", m, DsfSolver.SCAN, 1)) {
            var params = dsf4j.model.ParamLayout.init(m, 2);
            List<Batch> valid = STREAM.batches(Split.VALID, 4);
            double reset = Trainer.evaluate(e, params, valid).sum();
            float[][] state = Trainer.zeroState(m, 4);
            double carried = Trainer.evaluate(e, params, valid, state).sum();
            assertNotEquals(reset, carried, 0.0);
            assertTrue(Arrays.stream(state).anyMatch(l -> l[0] != 0), "the state was written back");
            // the first batch alone sees a zero state either way
            assertEquals(e.evaluate(params, valid.get(0)).sum(), e.evaluate(params, valid.get(0), Trainer.zeroState(m, 4)).sum(), 0.0);
        }
    }
}
