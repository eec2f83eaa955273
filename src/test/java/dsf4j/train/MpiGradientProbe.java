package dsf4j.train;

import dsf4j.TestData;
import dsf4j.collective.Collective;
import dsf4j.collective.DistributedMode;
import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.DsfSolver;
import dsf4j.config.LambdaInit;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.io.SafeTensors;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;

import java.nio.file.Path;

/**
 * Run by {@code MpiTrainingTest} under mpirun: every process computes its part of the loss and gradient
 * of {@link #CASES}' batches through MPI ({@link DataParallel#lossAndGradient}), and rank 0 writes them
 * to the safetensors file {@code args[0]} ({@code loss/<case>}, {@code grad/<case>/<tensor>}), which the
 * test compares with one process's.
 */
public final class MpiGradientProbe {

    public static final CellType[] CELLS = CellType.values();
    static final int ROWS = 6, STEPS = 7;

    public static ModelConfig model(CellType cell) {
        return new ModelConfig(cell, BlockType.RESIDUAL, 2, 6, 9, 0, LambdaInit.DEFAULT);
    }

    public static Batch batch(ModelConfig m) {
        return TestData.batch(m.vocab(), ROWS, STEPS, 4);
    }

    public static String name(CellType cell, Method method) {
        return cell.id() + "-" + method.id();
    }

    public static void main(String[] args) throws Exception {
        try (Collective world = DistributedMode.MPI.open()) {
            DataParallel dp = DataParallel.over(world);
            SafeTensors.Writer w = SafeTensors.writer().metadata("world_size", Integer.toString(world.size()));
            for (CellType cell : CELLS) {
                ModelConfig m = model(cell);
                Parameters p = ParamLayout.init(m, 11);
                try (Engine e = Engines.create("fast", m, DsfSolver.SCAN, 1)) {
                    for (Method method : Method.values()) {
                        Parameters g = p.zerosLike();
                        double loss = dp.lossAndGradient(e, p, batch(m), method, g, m.padId(), null, null);
                        w.f64("loss/" + name(cell, method), new int[] {1}, new double[] {loss});
                        for (Tensor t : g) if (t.trainable()) w.f32("grad/" + name(cell, method) + "/" + t.name(), t.shape(), t.data());
                    }
                }
            }
            if (world.leader()) w.write(Path.of(args[0]));
        }
    }
}
