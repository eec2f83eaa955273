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
        description = "Plot train/valid perplexity against steps and wall time for one or more run folders (and their gradient alignment with BPTT, if logged).")
final class PlotCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "RUN", description = "run folders written by dsf4j train")
    List<Path> runs;
    @Option(names = "--out", defaultValue = "perplexity.png", description = "the PNG to write (default: ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--panels", defaultValue = "all",
            description = "all (perplexity, and the gradient alignment below it when a run logged one), perplexity or alignment (default: ${DEFAULT-VALUE})")
    String panels;

    @Override
    public Integer call() throws Exception {
        Plot.write(runs, out, Plot.Panels.parse(panels));
        System.out.println("wrote " + out);
        return 0;
    }
}
