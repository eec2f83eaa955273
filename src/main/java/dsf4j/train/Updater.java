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

    /**
     * The loss and gradient of one batch, its norm and clipping (on the host: summed over the processes
     * first, when data-parallel), and whether the update is to be made; on the host, nothing of the run's
     * weights, optimizer or carried state changes until {@link #apply}, so that a stop can save the step
     * before it at any moment.
     *
     * @param carried stream mode's state, read (and, one process on the host or on a device, overwritten); or null
     */
    DeviceTrainer.Update compute(Batch batch, Method method, double lr, float[][] carried);

    /** Makes the update {@link #compute} prepared, when it is to be made (the device's was made at once). */
    void apply();

    /** {@link #compute}, then {@link #apply}. */
    default DeviceTrainer.Update step(Batch batch, Method method, double lr, float[][] carried) {
        DeviceTrainer.Update u = compute(batch, method, lr, carried);
        apply();
        return u;
    }

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
        return of(engine, params, adam, clip, maxLoss, DataParallel.SINGLE, -1);
    }

    /**
     * As {@link #of(Engine, Parameters, Adam, double, double)}, the host loop sharing each batch among the
     * processes of {@code parallel} when there are several.
     *
     * @param padId the targets the loss ignores (for the processes' target counts)
     */
    static Updater of(Engine engine, Parameters params, Adam adam, double clip, double maxLoss, DataParallel parallel, int padId) {
        if (parallel.distributed()) return new OnHost(engine, params, adam, clip, maxLoss, parallel, padId);
        DeviceTrainer.Settings settings = DeviceTrainer.Settings.of(adam.kind() == OptimizerKind.ADAMW, adam.weightDecay(), clip);
        return engine.deviceTrainer(params, settings).<Updater>map(d -> {
            if (adam.steps() > 0) d.restore(adam.firstMoments(), adam.secondMoments(), adam.steps());
            return new OnDevice(d, params, adam);
        }).orElseGet(() -> new OnHost(engine, params, adam, clip, maxLoss, parallel, padId));
    }

    /**
     * The host loop: {@link Engine#lossAndGradient} (or, data-parallel, {@link DataParallel#lossAndGradient}),
     * {@link GradClip#clip}, {@link Adam#step}, all on {@code params}; no update when the loss or the norm is
     * not finite, or the loss is above {@code maxLoss}.
     */
    final class OnHost implements Updater {
        private final Engine engine;
        private final Parameters params, grads;
        private final Adam adam;
        private final double clip, maxLoss;
        private final DataParallel parallel;
        private final int padId;
        private DeviceTrainer.Update pending;
        private double pendingLr;
        private float[][] carried, carriedAfter;   // data-parallel stream mode: the run's state, and the one after the pending step

        OnHost(Engine engine, Parameters params, Adam adam, double clip, double maxLoss, DataParallel parallel, int padId) {
            this.engine = engine;
            this.params = params;
            this.grads = params.zerosLike();
            this.adam = adam;
            this.clip = clip;
            this.maxLoss = maxLoss;
            this.parallel = parallel;
            this.padId = padId;
        }

        @Override
        public DeviceTrainer.Update compute(Batch batch, Method method, double lr, float[][] carried) {
            double loss;
            if (parallel.distributed()) {
                if (carried != null && (carriedAfter == null || carriedAfter[0].length != carried[0].length)) {
                    carriedAfter = new float[carried.length][carried[0].length];
                }
                this.carried = carried;
                loss = parallel.lossAndGradient(engine, params, batch, method, grads, padId, carried, carried == null ? null : carriedAfter);
            } else {
                loss = carried == null ? engine.lossAndGradient(params, batch, method, grads) : engine.lossAndGradient(params, batch, method, grads, carried);
            }
            double norm = GradClip.clip(grads, clip);
            pending = new DeviceTrainer.Update(loss, norm, Double.isFinite(loss) && Double.isFinite(norm) && loss <= maxLoss);
            pendingLr = lr;
            return pending;
        }

        @Override
        public void apply() {
            if (pending == null) return;
            if (pending.applied()) {
                adam.step(params, grads, pendingLr);
                if (carried != null) {
                    for (int l = 0; l < carried.length; l++) System.arraycopy(carriedAfter[l], 0, carried[l], 0, carried[l].length);
                }
            }
            pending = null;
            carried = null;
        }

        @Override
        public Engine.LossSum evaluate(List<Batch> batches, float[][] carried) {
            return parallel.distributed() ? parallel.evaluate(engine, params, batches, padId, carried) : Trainer.evaluate(engine, params, batches, carried);
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
        public DeviceTrainer.Update compute(Batch batch, Method method, double lr, float[][] carried) {
            return device.step(batch, method, lr, carried);   // the device's weights change now; the host's at the next sync
        }

        @Override
        public void apply() {}

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
