package dsf4j.cli;

import dsf4j.data.Dataset;
import dsf4j.data.Tokenizer;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.train.Checkpoint;
import dsf4j.train.Generator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code dsf4j generate}: text from a checkpoint, one recurrent step per token; without a prompt, from where the
 * training data's samples start ({@link Dataset#startOfText()}: {@code <bos>} for PTB, a line break for WikiText).
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt with a trained model, or start a text without one (same seed, same text).")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "a .safetensors checkpoint written by dsf4j train")
    Path checkpoint;
    @Option(names = "--prompt", description = "the text to continue (default: none: a new sentence (PTB) or a new line (WikiText); "
            + "the output is then the generated text alone)")
    String prompt;
    @Option(names = "--tokens", defaultValue = "50", description = "tokens to generate (default: ${DEFAULT-VALUE})")
    int tokens;
    @Option(names = "--temperature", defaultValue = "1.0", description = "0 = greedy (default: ${DEFAULT-VALUE})")
    double temperature;
    @Option(names = "--top-k", defaultValue = "0", description = "sample among the K likeliest tokens, 0 = all (default: ${DEFAULT-VALUE})")
    int topK;
    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus: the likeliest tokens holding this probability (default: ${DEFAULT-VALUE})")
    double topP;
    @Option(names = "--seed", defaultValue = "1", description = "seeds the sampling (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--engine", description = "reference, fast or cuda (default: the run's)")
    String engine;
    @Mixin
    OfflineOption net = new OfflineOption();

    @Override
    public Integer call() {
        Generator.Sampling sampling = new Generator.Sampling(temperature, topK, topP, seed);
        Checkpoint c = Checkpoint.load(checkpoint);
        Dataset data = CheckpointData.open(c, net.offline);
        Tokenizer tok = data.tokenizer();
        int[] ids = prompt != null ? tok.encode(prompt) : data.startOfText();
        try (Engine e = Engines.create(engine != null ? engine : c.train().engine(), c.model(), c.train().dsfSolver(), 1)) {
            int[] gen = new Generator(e, c.params(), c.model().vocab(), c.model().padId()).generate(ids, tokens, sampling);
            if (prompt == null) {
                System.out.println(tok.decode(gen).strip());
                return 0;
            }
            int[] all = Arrays.copyOf(ids, ids.length + gen.length);
            System.arraycopy(gen, 0, all, ids.length, gen.length);
            System.out.println(tok.decode(all));
        }
        return 0;
    }
}
