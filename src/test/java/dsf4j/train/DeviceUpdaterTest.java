package dsf4j.train;

import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.data.Dataset;
import dsf4j.engine.DeviceTrainer;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer's device path ({@link Updater.OnDevice}) without a GPU: an engine whose
 * {@link DeviceTrainer} keeps its own copy of the weights and moments on the host and does the host
 * loop's arithmetic on it. A run through it must equal the host run bit for bit — checkpoints, Adam's
 * moments and count, metrics, resume, stream mode — which holds only if the trainer syncs before every
 * checkpoint, restores on resume and evaluates the device's weights.
 */
class DeviceUpdaterTest {

    @TempDir
    Path dir;

    /** The reference engine, plus a "device" that is a private host copy. */
    static final class CopyingEngine implements Engine {
        final Engine host;
        int trainersMade;

        CopyingEngine(Engine host) {
            this.host = host;
        }

        public String name() { return "copying"; }
        public double lossAndGradient(Parameters p, Batch b, Method m, Parameters g) { return host.lossAndGradient(p, b, m, g); }
        public double lossAndGradient(Parameters p, Batch b, Method m, Parameters g, float[][] s) { return host.lossAndGradient(p, b, m, g, s); }
        public LossSum evaluate(Parameters p, Batch b) { return host.evaluate(p, b); }
        public LossSum evaluate(Parameters p, Batch b, float[][] s) { return host.evaluate(p, b, s); }
        public Stepper stepper(Parameters p, int batch) { return host.stepper(p, batch); }

        @Override
        public Optional<DeviceTrainer> deviceTrainer(Parameters initial, DeviceTrainer.Settings settings) {
            trainersMade++;
            Parameters w = initial.copy(), g = initial.zerosLike();   // the "device" weights: the trainer's own
            Adam adam = new Adam(w, settings.decoupled() ? OptimizerKind.ADAMW : OptimizerKind.ADAM, settings.weightDecay());
            return Optional.of(new DeviceTrainer() {
                public Update step(Batch b, Method m, double lr, float[][] carried) {
                    double loss = carried == null ? host.lossAndGradient(w, b, m, g) : host.lossAndGradient(w, b, m, g, carried);
                    Update u = new Update(loss, GradClip.clip(g, settings.clip()));
                    if (u.applied()) adam.step(w, g, lr);
                    return u;
                }

                public LossSum evaluate(Batch b, float[][] carried) { return carried == null ? host.evaluate(w, b) : host.evaluate(w, b, carried); }

                public long updates() { return adam.steps(); }

                public void copyTo(Parameters params, Parameters m, Parameters v) {
                    copy(w, params);
                    if (m != null) {
                        copy(adam.firstMoments(), m);
                        copy(adam.secondMoments(), v);
                    }
                }

                public void restore(Parameters m, Parameters v, long updates) {
                    copy(m, adam.firstMoments());
                    copy(v, adam.secondMoments());
                    adam.restoreSteps(updates);
                }

                public void close() {}
            });
        }

        private static void copy(Parameters from, Parameters to) {
            for (Tensor t : to) System.arraycopy(from.data(t.name()), 0, t.data(), 0, t.size());
        }
    }

    static Trainer.Result train(TrainConfig c, Dataset data, boolean device, Path out, Checkpoint resume) throws IOException {
        ModelConfig m = Trainer.modelFor(c, data);
        try (Engine ref = Engines.create(c.engine(), m, c.dsfSolver(), c.threads())) {
            CopyingEngine copying = new CopyingEngine(ref);
            Trainer.Result r = new Trainer(c, data, device ? copying : ref, out, new Provenance("test", "unknown", data.provenance(), "train --test"),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false).run(resume);
            if (device) assertEquals(1, copying.trainersMade, "one device trainer per run");
            return r;
        }
    }

    static TrainConfig adamw(TrainConfig c) {
        return new TrainConfig(c.data(), c.cell(), c.block(), c.layers(), c.hidden(), c.lambdaInit(), c.method(), c.dsfSolver(), c.seq(), c.batch(),
                c.epochs(), c.maxSteps(), c.lr(), OptimizerKind.ADAMW, 0.1, c.schedule(), 0.5, c.seed(), c.threads(), 3, c.engine(), c.dataMode());
    }

    /** The runs in {@code a} and {@code b} wrote the same checkpoints and metrics. */
    static void assertSameRun(Path a, Path b) throws IOException {
        for (String f : List.of(Trainer.BEST, Trainer.LAST)) {
            Checkpoint x = Checkpoint.load(a.resolve(f)), y = Checkpoint.load(b.resolve(f));
            for (Tensor t : x.params()) assertArrayEquals(t.data(), y.params().data(t.name()), 0f, f + " " + t.name());
            for (Tensor t : x.moments().m()) assertArrayEquals(t.data(), y.moments().m().data(t.name()), 0f, f + " m " + t.name());
            for (Tensor t : x.moments().v()) assertArrayEquals(t.data(), y.moments().v().data(t.name()), 0f, f + " v " + t.name());
            assertEquals(x.moments().steps(), y.moments().steps(), f);
            assertEquals(x.state().step(), y.state().step(), f);
        }
        List<Metrics.Row> ra = Metrics.read(a.resolve(Metrics.CSV)), rb = Metrics.read(b.resolve(Metrics.CSV));
        assertEquals(ra.size(), rb.size());
        for (int i = 0; i < ra.size(); i++) {
            assertEquals(ra.get(i).split(), rb.get(i).split(), "row " + i);
            assertEquals(ra.get(i).loss(), rb.get(i).loss(), 0, "row " + i);
        }
    }

    @Test
    void aRunThroughTheDeviceTrainerEqualsTheHostRunBitForBit() throws IOException {
        for (TrainConfig c : List.of(TrainerTest.config(2, 0, "step:1:0.5", 8), adamw(TrainerTest.config(2, 0, "const", 8)))) {
            Path host = dir.resolve(c.optimizer().id() + "-host"), device = dir.resolve(c.optimizer().id() + "-device");
            Trainer.Result h = train(c, TrainerTest.DATA, false, host, null), d = train(c, TrainerTest.DATA, true, device, null);
            assertEquals(h.steps(), d.steps());
            assertEquals(h.testLoss(), d.testLoss(), 0);
            for (Tensor t : h.finalParams()) assertArrayEquals(t.data(), d.finalParams().data(t.name()), 0f, t.name());
            assertSameRun(host, device);
        }
    }

    @Test
    void resumingThroughTheDeviceTrainerRestoresTheMoments() throws IOException {
        TrainConfig full = TrainerTest.config(2, 12, "const", 8), half = TrainerTest.config(2, 6, "const", 8);
        Path straight = dir.resolve("straight"), split = dir.resolve("split");
        Trainer.Result s = train(full, TrainerTest.DATA, true, straight, null);
        train(half, TrainerTest.DATA, true, split, null);
        Checkpoint mid = Checkpoint.load(Files.copy(split.resolve(Trainer.LAST), dir.resolve("mid.safetensors")));
        assertTrue(mid.moments().steps() == 6);
        Trainer.Result r = train(full, TrainerTest.DATA, true, split, mid);
        for (Tensor t : s.finalParams()) assertArrayEquals(t.data(), r.finalParams().data(t.name()), 0f, t.name());
        assertEquals(Checkpoint.load(straight.resolve(Trainer.LAST)).moments().steps(), Checkpoint.load(split.resolve(Trainer.LAST)).moments().steps());
    }

    @Test
    void streamModeThroughTheDeviceTrainerEqualsTheHostRun() throws IOException {
        TrainConfig c = TrainerTest.config(2, 0, "const", 8);
        Path host = dir.resolve("host"), device = dir.resolve("device");
        train(c, StreamModeTest.STREAM, false, host, null);
        train(c, StreamModeTest.STREAM, true, device, null);
        assertSameRun(host, device);
        assertTrue(Checkpoint.load(device.resolve(Trainer.LAST)).state().step() > 0);
    }
}
