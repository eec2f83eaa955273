package dsf4j.cli;

import dsf4j.data.Dataset;
import dsf4j.data.Split;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.train.Checkpoint;
import dsf4j.train.TrainConfig;
import dsf4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code dsf4j eval}: loss and perplexity of a checkpoint on a split of the data it was trained on. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Print the loss and perplexity of a checkpoint on a data split.")
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "a .safetensors checkpoint written by dsf4j train")
    Path checkpoint;
    @Option(names = "--split", defaultValue = "valid", description = "train, valid or test (default: ${DEFAULT-VALUE})")
    String split;
    @Option(names = "--batch", description = "sequences per batch (default: the run's)")
    Integer batch;
    @Option(names = "--engine", description = "reference, fast or cuda (default: the run's)")
    String engine;
    @Option(names = "--threads", description = "worker threads (default: the run's)")
    Integer threads;

    @Override
    public Integer call() {
        if (batch != null && batch < 1) throw new IllegalArgumentException("--batch must be at least 1 (got " + batch + ")");
        Split s = Split.parse(split);
        Checkpoint c = Checkpoint.load(checkpoint);
        TrainConfig t = c.train();
        Dataset data = CheckpointData.open(c);
        try (Engine e = Engines.create(engine != null ? engine : t.engine(), c.model(), t.dsfSolver(), threads != null ? threads : t.threads())) {
            Engine.LossSum sum = Trainer.evaluate(e, c.params(), data.batches(s, batch != null ? batch : t.batch()));
            if (sum.count() == 0) throw new IllegalArgumentException("the " + s.id() + " split gives no full batch: lower --batch");
            System.out.printf(Locale.ROOT, "%s %s: loss %.4f  ppl %.2f  (%d tokens, step %d)%n", checkpoint, s.id(), sum.mean(), Math.exp(sum.mean()),
                    sum.count(), c.state().step());
        }
        return 0;
    }
}
