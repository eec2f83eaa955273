package dsf4j.cli;

import dsf4j.train.RunSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dsf4j summary runs/a runs/b …}: one markdown table row per run. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print a markdown table of best validation and test perplexity for one or more run folders.")
final class SummaryCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "RUN", description = "run folders written by dsf4j train")
    List<Path> runs;

    @Override
    public Integer call() throws Exception {
        List<RunSummary> all = new java.util.ArrayList<>();
        for (Path run : runs) all.add(RunSummary.of(run));
        boolean alignment = all.stream().anyMatch(s -> !s.lastAlignment().isEmpty());   // the column only when a run logged it
        System.out.println(RunSummary.markdownHeader(alignment));
        for (RunSummary s : all) System.out.println(s.markdownRow(alignment));
        return 0;
    }
}
