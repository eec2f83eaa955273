package dsf4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What a run folder's metrics.csv says in one row: the best validation perplexity (the authors report
 * the best of their periodic evaluations), the test perplexity of the best weights, and the cost.
 *
 * @param testPpl NaN when the run has not finished
 */
public record RunSummary(String run, double bestValidPpl, long bestStep, double testPpl, long steps, double seconds) {

    /** @throws IllegalArgumentException when the folder holds no metrics.csv */
    public static RunSummary of(Path dir) throws IOException {
        Path csv = dir.resolve(Metrics.CSV);
        if (!Files.isRegularFile(csv)) throw new IllegalArgumentException(dir + " holds no " + Metrics.CSV + ": give a run folder written by `dsf4j train`");
        List<Metrics.Row> rows = Metrics.read(csv);
        double best = Double.NaN, test = Double.NaN, seconds = 0;
        long bestStep = -1, steps = 0;
        for (Metrics.Row r : rows) {
            steps = Math.max(steps, r.step());
            seconds = Math.max(seconds, r.elapsedSeconds());
            if (r.split().equals("valid") && !(r.ppl() >= best)) {
                best = r.ppl();
                bestStep = r.step();
            }
            if (r.split().equals("test")) test = r.ppl();
        }
        return new RunSummary(dir.getFileName().toString(), best, bestStep, test, steps, seconds);
    }

    /** The header of {@link #markdownRow()}. */
    public static String markdownHeader() {
        return "| run | best valid ppl | at step | test ppl | steps | time |\n|---|---|---|---|---|---|";
    }

    public String markdownRow() {
        return String.format(Locale.ROOT, "| %s | %.2f | %d | %s | %d | %.0f min |", run, bestValidPpl, bestStep,
                Double.isNaN(testPpl) ? "–" : String.format(Locale.ROOT, "%.2f", testPpl), steps, seconds / 60);
    }
}
