package dsf4j.cli;

import dsf4j.data.Dataset;
import dsf4j.data.Split;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.train.Checkpoint;
import dsf4j.train.TrainConfig;
import dsf4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code dsf4j eval}: loss and perplexity of a checkpoint on a split of the data it was trained on, or of another corpus. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Print the loss and perplexity of a checkpoint on a data split.")
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "a .safetensors checkpoint written by dsf4j train")
    Path checkpoint;
    @Option(names = "--split", defaultValue = "valid", description = "train, valid or test (default: ${DEFAULT-VALUE})")
    String split;
    @Option(names = "--data", description = "score another corpus (ptb, wikitext-2, wikitext-103 or a folder) with the checkpoint's own vocabulary, "
            + "unknown words as <unk> (default: the run's data)")
    String data;
    @Option(names = "--batch", description = "sequences per batch (default: the run's)")
    Integer batch;
    @Option(names = "--engine", description = "reference, fast or cuda (default: the run's)")
    String engine;
    @Option(names = "--threads", description = "worker threads (default: the run's)")
    Integer threads;
    @Mixin
    OfflineOption net = new OfflineOption();

    @Override
    public Integer call() {
        if (batch != null && batch < 1) throw new IllegalArgumentException("--batch must be at least 1 (got " + batch + ")");
        Split s = Split.parse(split);
        Checkpoint c = Checkpoint.load(checkpoint);
        TrainConfig t = c.train();
        Dataset trained = CheckpointData.open(c, net.offline);
        Dataset scored = data == null ? trained : CheckpointData.other(c, trained, data, s, net.offline);
        try (Engine e = Engines.create(engine != null ? engine : t.engine(), c.model(), t.dsfSolver(), threads != null ? threads : t.threads())) {
            int b = batch != null ? batch : t.batch();
            Engine.LossSum sum = Trainer.evaluate(e, c.params(), scored.batches(s, b), scored.carriesState() ? Trainer.zeroState(c.model(), b) : null);
            if (sum.count() == 0) throw new IllegalArgumentException("the " + s.id() + " split gives no full batch: lower --batch");
            System.out.printf(Locale.ROOT, "%s %s%s: loss %.4f  ppl %.2f  (%d tokens, step %d)%n", checkpoint, data == null ? "" : "on " + data + " ", s.id(),
                    sum.mean(), Math.exp(sum.mean()), sum.count(), c.state().step());
        }
        return 0;
    }
}
