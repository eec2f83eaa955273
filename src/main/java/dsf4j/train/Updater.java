package dsf4j.train;

import dsf4j.config.Method;
import dsf4j.engine.DeviceTrainer;
import dsf4j.engine.Engine;
import dsf4j.model.Batch;
import dsf4j.model.Parameters;

import java.util.List;

/**
 * Where the {@link Trainer}'s step happens: the loss and gradient of a batch, global-norm clipping and
 * the Adam update, skipped when the loss or the norm is not finite. {@link OnHost}: the engine returns
 * the gradient and the host clips and updates its own arrays. {@link OnDevice}: an accelerator engine's
 * {@link DeviceTrainer} does all of it where the weights live; the host's weights and moments are
 * brought up to date only by {@link #sync} (before a checkpoint, and at the end).
 */
sealed interface Updater extends AutoCloseable {

    /** One step; {@code carried}: stream mode's state, read and overwritten (or null). */
    DeviceTrainer.Update step(Batch batch, Method method, double lr, float[][] carried);

    /** Σ cross-entropy over {@code batches} under the current weights, the state carried when not null. */
    Engine.LossSum evaluate(List<Batch> batches, float[][] carried);

    /** Makes the host's weights and Adam state those of the run (nothing to do on the host). */
    void sync();

    @Override
    void close();

    /**
     * The engine's device trainer when it has one (restored to {@code adam}'s moments and count when
     * the run resumes), otherwise the host loop.
     */
    static Updater of(Engine engine, Parameters params, Adam adam, double clip) {
        return of(engine, params, adam, clip, Double.POSITIVE_INFINITY);
    }

    /**
     * As {@link #of(Engine, Parameters, Adam, double)}; the host loop also skips an update whose loss is above
     * {@code maxLoss} (a device trainer decides on the device, by finiteness alone, and makes it).
     */
    static Updater of(Engine engine, Parameters params, Adam adam, double clip, double maxLoss) {
        DeviceTrainer.Settings settings = DeviceTrainer.Settings.of(adam.kind() == OptimizerKind.ADAMW, adam.weightDecay(), clip);
        return engine.deviceTrainer(params, settings).<Updater>map(d -> {
            if (adam.steps() > 0) d.restore(adam.firstMoments(), adam.secondMoments(), adam.steps());
            return new OnDevice(d, params, adam);
        }).orElseGet(() -> new OnHost(engine, params, adam, clip, maxLoss));
    }

    /**
     * The host loop: {@link Engine#lossAndGradient}, {@link GradClip#clip}, {@link Adam#step}, all on {@code params};
     * no update when the loss or the norm is not finite, or the loss is above {@code maxLoss}.
     */
    final class OnHost implements Updater {
        private final Engine engine;
        private final Parameters params, grads;
        private final Adam adam;
        private final double clip, maxLoss;

        OnHost(Engine engine, Parameters params, Adam adam, double clip, double maxLoss) {
            this.engine = engine;
            this.params = params;
            this.grads = params.zerosLike();
            this.adam = adam;
            this.clip = clip;
            this.maxLoss = maxLoss;
        }

        @Override
        public DeviceTrainer.Update step(Batch batch, Method method, double lr, float[][] carried) {
            double loss = carried == null ? engine.lossAndGradient(params, batch, method, grads) : engine.lossAndGradient(params, batch, method, grads, carried);
            double norm = GradClip.clip(grads, clip);
            boolean apply = Double.isFinite(loss) && Double.isFinite(norm) && loss <= maxLoss;
            if (apply) adam.step(params, grads, lr);
            return new DeviceTrainer.Update(loss, norm, apply);
        }

        @Override
        public Engine.LossSum evaluate(List<Batch> batches, float[][] carried) {
            return Trainer.evaluate(engine, params, batches, carried);
        }

        @Override
        public void sync() {}

        @Override
        public void close() {}
    }

    /** Everything on the device; {@code params} and {@code adam} are the host's copies that {@link #sync} refreshes. */
    final class OnDevice implements Updater {
        private final DeviceTrainer device;
        private final Parameters params;
        private final Adam adam;
        private boolean closed;

        OnDevice(DeviceTrainer device, Parameters params, Adam adam) {
            this.device = device;
            this.params = params;
            this.adam = adam;
        }

        @Override
        public DeviceTrainer.Update step(Batch batch, Method method, double lr, float[][] carried) {
            return device.step(batch, method, lr, carried);
        }

        @Override
        public Engine.LossSum evaluate(List<Batch> batches, float[][] carried) {
            Engine.LossSum s = new Engine.LossSum(0, 0);
            for (Batch b : batches) s = s.plus(device.evaluate(b, carried));
            return s;
        }

        @Override
        public void sync() {
            device.copyTo(params, adam.firstMoments(), adam.secondMoments());
            adam.restoreSteps(device.updates());
        }

        @Override
        public void close() {
            if (!closed) device.close();
            closed = true;
        }
    }
}
