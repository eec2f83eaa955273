package dsf4j.cli;

import dsf4j.data.Corpus;
import dsf4j.data.CorpusLocator;
import dsf4j.data.Split;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code dsf4j fetch ptb …}: find each named corpus, or download it into data/cache, and verify it. */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Find each named corpus ($DSF4J_DATA, ../shared/data, data/cache) or download it into data/cache/NAME, and verify it",
                "against data/datasets.tsv; prints the folder of each. train and eval do the same by themselves; this is for doing it ahead."})
final class FetchCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "ptb, wikitext-2 or wikitext-103")
    List<String> names;
    @Mixin
    OfflineOption net = new OfflineOption();

    @Override
    public Integer call() {
        CorpusLocator locator = CorpusLocator.standard(net.offline);
        for (String name : names) {
            if (!locator.manifest().datasets().contains(name)) {
                throw new IllegalArgumentException("unknown corpus '" + name + "': use one of " + String.join(", ", locator.manifest().datasets()));
            }
        }
        for (String name : names) {
            Corpus c = locator.open(name);   // reads and verifies every split
            System.out.println(c.text(Split.TRAIN).path().toAbsolutePath().getParent());
        }
        return 0;
    }
}
