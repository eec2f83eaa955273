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
public record RunSummary(String run, double bestValidPpl, long bestStep, double testPpl, long steps, double seconds, List<Metrics.Row> lastAlignment) {

    /** A summary without alignment rows. */
    public RunSummary(String run, double bestValidPpl, long bestStep, double testPpl, long steps, double seconds) {
        this(run, bestValidPpl, bestStep, testPpl, steps, seconds, List.of());
    }

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
        long lastAligned = rows.stream().filter(r -> r.split().equals(Metrics.ALIGNMENT)).mapToLong(Metrics.Row::step).max().orElse(-1);
        List<Metrics.Row> alignment = rows.stream().filter(r -> r.split().equals(Metrics.ALIGNMENT) && r.step() == lastAligned).toList();
        return new RunSummary(dir.getFileName().toString(), best, bestStep, test, steps, seconds, alignment);
    }

    /** The header of {@link #markdownRow()}. */
    public static String markdownHeader() {
        return "| run | best valid ppl | at step | test ppl | steps | time |\n|---|---|---|---|---|---|";
    }

    /** The header of {@link #markdownRow(boolean)} with the alignment column. */
    public static String markdownHeader(boolean alignment) {
        return alignment ? "| run | best valid ppl | at step | test ppl | steps | time | gradient vs BPTT at the last alignment step: cosine / norm ratio, top down |\n|---|---|---|---|---|---|---|"
                : markdownHeader();
    }

    /** {@link #markdownRow()}, and with {@code alignment} the last logged cosine / norm ratio per group (the head aside: it is exact). */
    public String markdownRow(boolean alignment) {
        if (!alignment) return markdownRow();
        StringBuilder a = new StringBuilder();
        for (Metrics.Row r : lastAlignment) {
            if (r.group().equals("head")) continue;
            a.append(a.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.3f / %.2f", r.group(), r.cosine(), r.normRatio()));
        }
        return markdownRow() + (lastAlignment.isEmpty() ? " – |" : " " + a + " (step " + lastAlignment.getFirst().step() + ") |");
    }

    public String markdownRow() {
        return String.format(Locale.ROOT, "| %s | %.2f | %d | %s | %d | %.0f min |", run, bestValidPpl, bestStep,
                Double.isNaN(testPpl) ? "–" : String.format(Locale.ROOT, "%.2f", testPpl), steps, seconds / 60);
    }
}
