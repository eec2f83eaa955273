package dsf4j.cli;

import dsf4j.train.Plot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dsf4j plot runs/a runs/b …}: train and valid perplexity of several runs on one chart. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = "Plot train/valid perplexity against steps and wall time for one or more run folders.")
final class PlotCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "RUN", description = "run folders written by dsf4j train")
    List<Path> runs;
    @Option(names = "--out", defaultValue = "perplexity.png", description = "the PNG to write (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
        Plot.write(runs, out);
        System.out.println("wrote " + out);
        return 0;
    }
}
