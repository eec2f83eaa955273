package dsf4j.train;

import dsf4j.config.ModelConfig;
import dsf4j.io.SafeTensors;
import dsf4j.io.SafeTensorsFile;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {

    @TempDir
    Path dir;

    private final TrainConfig cfg = TrainerTest.config(2, 0, "step:1:0.5", 4);
    private final ModelConfig model = cfg.model(7, 0);

    private Path saved(Parameters p, Adam adam) throws IOException {
        Path f = dir.resolve("c.safetensors");
        Checkpoint.save(f, model, cfg, p, adam, new TrainState(17, 2, 3, 1.25, 12, 98.5), new Provenance("0.1", "abc", "tiny sha256=00", "train --x"));
        return f;
    }

    @Test
    void roundTripsWeightsMomentsStateAndConfig() throws IOException {
        Parameters p = ParamLayout.init(model, 9);
        Adam adam = new Adam(p, OptimizerKind.ADAM, 1e-4);
        Parameters g = p.zerosLike();
        for (Tensor t : g) Arrays.fill(t.data(), 0.5f);
        adam.step(p, g, 0.01);
        adam.step(p, g, 0.01);
        Checkpoint c = Checkpoint.load(saved(p, adam));

        assertEquals(model, c.model());
        assertEquals(cfg, c.train());
        assertEquals(new TrainState(17, 2, 3, 1.25, 12, 98.5), c.state());
        for (Tensor t : p) assertArrayEquals(t.data(), c.params().data(t.name()), 0f, t.name());
        assertTrue(!c.params().get("layers.0.rnn.lambda").trainable());
        Adam back = new Adam(c.params(), OptimizerKind.ADAM, 1e-4);
        c.restoreInto(back);
        assertEquals(2, back.steps());
        for (Tensor t : adam.firstMoments()) assertArrayEquals(t.data(), back.firstMoments().data(t.name()), 0f);
        for (Tensor t : adam.secondMoments()) assertArrayEquals(t.data(), back.secondMoments().data(t.name()), 0f);
        assertTrue(c.provenance().contains("\"git_commit\":\"abc\"") && c.provenance().contains("\"command_line\":\"train --x\""), c.provenance());
    }

    /** The weights carry PyTorch's names, so {@code model.load_state_dict} can read the file directly. */
    @Test
    void usesTheParameterNamesAndLayoutsOfParamLayout() throws IOException {
        Parameters p = ParamLayout.init(model, 9);
        SafeTensorsFile f = SafeTensors.read(saved(p, new Adam(p, OptimizerKind.ADAM, 0)));
        assertArrayEquals(new int[] {12, 4}, f.shape("layers.0.rnn.weight_ih"));
        assertArrayEquals(new int[] {7, 4}, f.shape("head.weight"));
        assertTrue(f.has("optim/m/head.weight") && f.has("optim/v/embedding.weight"));
        assertTrue(!f.has("optim/m/layers.0.rnn.lambda"), "λ has no optimizer state");
        assertEquals("{\"cell\":\"gru\",\"block\":\"residual\",\"layers\":1,\"hidden\":4,\"vocab\":7,\"pad_id\":0,\"lambda_init\":\"linspace:0:1\"}", f.metadata().get("config"));
    }

    @Test
    void aTrainConfigWrittenBeforeBatchingExistedReadsAsTheBucketsItWasTrainedWith() {
        TrainConfig c = new TrainConfig("ptb", dsf4j.config.CellType.GRU, dsf4j.config.BlockType.RESIDUAL, 1, 8, dsf4j.config.LambdaInit.DEFAULT,
                dsf4j.config.Method.DSF, dsf4j.config.DsfSolver.SCAN, 64, 4, 1, 0, 1e-3, OptimizerKind.ADAM, 0, "const", 0, 1, 1, 0, "fast");
        assertEquals(dsf4j.data.Batching.RANDOM, c.batching(), "new configs: the authors' random batches");
        String json = TrainConfigJson.toJson(c);
        assertEquals(c, TrainConfigJson.fromJson(json));
        String old = json.replace(",\"batching\":\"random\"", "");
        assertFalse(old.contains("batching"), old);
        assertEquals(dsf4j.data.Batching.bucket(50), TrainConfigJson.fromJson(old).batching(), "dsf4j ≤ 2026-11-28 bucketed sentences by 50 batches");
        String oldStream = old.replace("\"data_mode\":\"sentences\"", "\"data_mode\":\"stream\"");
        assertEquals(dsf4j.data.Batching.RANDOM, TrainConfigJson.fromJson(oldStream).batching(), "only sentences were ever bucketed");
    }

    @Test
    void aFileWithoutDsf4jMetadataIsRefused() throws IOException {
        Path f = dir.resolve("plain.safetensors");
        SafeTensors.writer().f32("x", new int[] {1}, new float[1]).write(f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(f));
        assertTrue(e.getMessage().startsWith(f + ": not a dsf4j checkpoint"), e.getMessage());
    }

    @Test
    void aMissingOrMisshapenTensorIsNamed() throws IOException {
        Parameters p = ParamLayout.init(model, 9);
        Path good = saved(p, new Adam(p, OptimizerKind.ADAM, 0));
        SafeTensorsFile f = SafeTensors.read(good);
        SafeTensors.Writer w = SafeTensors.writer().metadata(f.metadata());
        for (String n : f.names()) if (!n.equals("head.bias")) w.f32(n, f.shape(n), f.f32(n));
        Path missing = dir.resolve("missing.safetensors");
        w.write(missing);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(missing));
        assertEquals(missing + ": tensor head.bias is missing: the file was written for another model or is damaged; use a checkpoint of this model", e.getMessage());

        w = SafeTensors.writer().metadata(f.metadata());
        for (String n : f.names()) w.f32(n, n.equals("head.bias") ? new int[] {1, 7} : f.shape(n), f.f32(n));
        Path shaped = dir.resolve("shaped.safetensors");
        w.write(shaped);
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(shaped));
        assertTrue(e.getMessage().startsWith(shaped + ": tensor head.bias is F32 [1, 7] but the config says F32 [7]"), e.getMessage());
    }

    @Test
    void weightsOnlyCheckpointsLoadWithoutMoments() throws IOException {
        Parameters p = ParamLayout.init(model, 9);
        SafeTensorsFile f = SafeTensors.read(saved(p, new Adam(p, OptimizerKind.ADAM, 0)));
        SafeTensors.Writer w = SafeTensors.writer().metadata(f.metadata());
        for (String n : f.names()) if (!n.startsWith("optim/")) w.f32(n, f.shape(n), f.f32(n));
        Path weights = dir.resolve("weights.safetensors");
        w.write(weights);
        Checkpoint c = Checkpoint.load(weights);
        assertNull(c.moments());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.restoreInto(new Adam(c.params(), OptimizerKind.ADAM, 0)));
        assertTrue(e.getMessage().contains("holds no optimizer state"));
    }

    @Test
    void aTruncatedCheckpointIsAOneLineError() throws IOException {
        Parameters p = ParamLayout.init(model, 9);
        Path f = saved(p, new Adam(p, OptimizerKind.ADAM, 0));
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length / 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && !e.getMessage().contains("\n"), e.getMessage());
    }

    /**
     * One flipped bit anywhere in a tensor's data (bit rot, a bad copy): the checkpoint is refused in one line that
     * names the tensor and the run's other checkpoint; before checksums it loaded without a word.
     */
    @Test
    void aFlippedBitInAnyTensorIsRefusedNamingTheTensorAndTheCheckpointToUseInstead() throws IOException {
        Parameters p = ParamLayout.init(model, 9);
        Path good = saved(p, new Adam(p, OptimizerKind.ADAM, 0));
        byte[] bytes = Files.readAllBytes(good);
        SafeTensorsFile f = SafeTensors.read(good);
        long dataStart = 8 + java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        Path last = dir.resolve(Trainer.LAST);
        for (String name : f.names()) {
            SafeTensorsFile.Info info = f.info(name);
            if (info.end() == info.begin()) continue;
            byte[] bad = bytes.clone();
            bad[(int) (dataStart + (info.begin() + info.end()) / 2)] ^= 0x10;
            Files.write(last, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(last), name);
            assertTrue(e.getMessage().matches(java.util.regex.Pattern.quote(last + ": tensor '" + name + "' fails its checksum (CRC-32C ") + "[0-9a-f]{8}, recorded [0-9a-f]{8}"
                    + java.util.regex.Pattern.quote("): the file is damaged (a flipped bit, a bad copy); use " + dir.resolve(Trainer.BEST)
                    + " (--resume accepts a checkpoint file) or an earlier copy of it")), e.getMessage());
        }
        Path best = dir.resolve(Trainer.BEST);
        byte[] bad = bytes.clone();
        bad[bad.length - 1] ^= 1;
        Files.write(best, bad);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(best));
        assertTrue(e.getMessage().endsWith("; use " + last + " or an earlier copy of it"), e.getMessage());
    }

    /** A checkpoint of an older dsf4j (no checksums) still loads, the same values, with a note that it cannot be checked. */
    @Test
    void aCheckpointWithoutChecksumsLoadsWithANote() throws IOException {
        Parameters p = ParamLayout.init(model, 9);
        SafeTensorsFile f = SafeTensors.read(saved(p, new Adam(p, OptimizerKind.ADAM, 0)));
        SafeTensors.Writer w = SafeTensors.writer().metadata(f.metadata()).checksums(false);
        for (String n : f.names()) w.f32(n, f.shape(n), f.f32(n));
        Path old = dir.resolve("old.safetensors");
        w.write(old);
        java.io.ByteArrayOutputStream notes = new java.io.ByteArrayOutputStream();
        Checkpoint c = Checkpoint.load(old, new java.io.PrintStream(notes, true, java.nio.charset.StandardCharsets.UTF_8));
        for (Tensor t : p) assertArrayEquals(t.data(), c.params().data(t.name()), 0f, t.name());
        assertEquals("dsf4j: note: " + old + " records no checksums (an older dsf4j wrote it): it loads, but damage to it cannot be detected;"
                + " the checkpoints a run writes from now on have them", notes.toString(java.nio.charset.StandardCharsets.UTF_8).strip());
        notes.reset();
        Checkpoint.load(dir.resolve("c.safetensors"), new java.io.PrintStream(notes, true, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("", notes.toString(java.nio.charset.StandardCharsets.UTF_8), "a checksummed file loads silently");
    }
}
