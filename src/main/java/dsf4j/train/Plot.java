package dsf4j.train;

import dsf4j.io.AtomicFiles;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * A PNG of train and validation perplexity of one or more runs: against optimizer steps on the
 * left, against wall time on the right (a log scale when they span more than a decade); one colour per run, train dashed, valid solid.
 * The train curve is the perplexity of the mean loss over windows of about 1% of the run. Points whose perplexity
 * is not finite (a diverged run's) are left out.
 *
 * <p>When a run logged its gradient alignment ({@code --log-alignment}), rows of panels below show it
 * against steps: the cosine with BPTT's gradient on the left, the norm ratio on the right, for each
 * recurrent layer and the embedding (the head's gradient is exact in every method): one run's groups
 * in one row, or one row per group with a curve per run when several runs are plotted.
 */
public final class Plot {

    static final int WIDTH = 800, HEIGHT = 560;
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private Plot() {}

    /** What {@link #write(List, Path, Panels)} draws. */
    public enum Panels {
        /** perplexity, and the alignment row below it when a run logged one */
        ALL,
        /** perplexity only */
        PERPLEXITY,
        /** the alignment row only (an error when no run logged one) */
        ALIGNMENT;

        public static Panels parse(String s) {
            for (Panels p : values()) if (p.name().equalsIgnoreCase(s.trim())) return p;
            throw new IllegalArgumentException("unknown --panels '" + s + "': use all, perplexity or alignment");
        }
    }

    /** Reads {@code metrics.csv} in each run folder and writes the two charts side by side to {@code png} (and the alignment row under them). */
    public static void write(List<Path> runs, Path png) throws IOException {
        write(runs, png, Panels.ALL);
    }

    /** {@link #write(List, Path)}, with only some of the panels. */
    public static void write(List<Path> runs, Path png, Panels panels) throws IOException {
        if (runs.isEmpty()) throw new IllegalArgumentException("no run folder to plot: give one or more folders written by dsf4j train");
        for (Path run : runs) {
            if (!Files.isRegularFile(run.resolve(Metrics.CSV))) {
                throw new IllegalArgumentException(run + " has no " + Metrics.CSV + ": give a run folder written by dsf4j train");
            }
        }
        List<List<XYChart>> alignment = panels == Panels.PERPLEXITY ? List.of() : alignmentCharts(runs);
        if (panels == Panels.ALIGNMENT) {
            if (alignment.isEmpty()) throw new IllegalArgumentException("no run logged its gradient alignment: train with --log-alignment N, or plot --panels perplexity");
            paint(png, alignment);
            return;
        }
        XYChart bySteps = chart("perplexity vs step", "step");
        XYChart byTime = chart("perplexity vs wall time", "minutes");
        Set<String> names = new HashSet<>();
        double firstValid = 0;   // the highest validation perplexity: the y-axis stops a little above it
        for (int r = 0; r < runs.size(); r++) {
            Path csv = runs.get(r).resolve(Metrics.CSV);
            if (!Files.isRegularFile(csv)) {
                throw new IllegalArgumentException(runs.get(r) + " has no " + Metrics.CSV + ": give a run folder written by dsf4j train");
            }
            List<Metrics.Row> rows = Metrics.read(csv);
            String name = runs.get(r).toAbsolutePath().normalize().getFileName().toString();
            if (names.contains(name)) name += " #" + (r + 1);   // two folders of the same name
            names.add(name);
            Color color = PALETTE[r % PALETTE.length];
            List<Metrics.Row> train = finite(smoothed(rows.stream().filter(x -> x.split().equals("train")).toList()));
            List<Metrics.Row> valid = finite(rows.stream().filter(x -> x.split().equals("valid")).toList());
            for (Metrics.Row v : valid) firstValid = Math.max(firstValid, v.ppl());
            add(bySteps, name + " train", train, x -> x.step(), color, true);
            add(bySteps, name + " valid", valid, x -> x.step(), color, false);
            add(byTime, name + " train", train, x -> x.elapsedSeconds() / 60, color, true);
            add(byTime, name + " valid", valid, x -> x.elapsedSeconds() / 60, color, false);
        }
        for (XYChart c : List.of(bySteps, byTime)) {
            // The first train steps sit near the vocabulary size; above the validation curves they only
            // squash what matters, so the axis ends 25% above the highest validation perplexity.
            double top = firstValid > 0 ? 1.25 * firstValid : Double.POSITIVE_INFINITY;
            if (Double.isFinite(top)) c.getStyler().setYAxisMax(top);
            c.getStyler().setYAxisLogarithmic(spansADecade(c, top));
        }
        List<List<XYChart>> rows = new ArrayList<>(List.of(List.of(bySteps, byTime)));
        rows.addAll(alignment);
        paint(png, rows);
    }

    /** Rows of two charts each into one PNG, written atomically. */
    private static void paint(Path png, List<List<XYChart>> rows) throws IOException {
        BufferedImage img = new BufferedImage(2 * WIDTH, rows.size() * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < 2; c++) {
                Graphics2D cell = (Graphics2D) g.create(c * WIDTH, r * HEIGHT, WIDTH, HEIGHT);
                rows.get(r).get(c).paint(cell, WIDTH, HEIGHT);
                cell.dispose();
            }
        }
        g.dispose();
        AtomicFiles.write(png, o -> {
            if (!ImageIO.write(img, "png", o)) throw new IOException("no PNG writer in this Java runtime");
        });
    }

    /**
     * Rows of [cosine | norm ratio] against BPTT, or none when no run logged them. One run: one row, a
     * curve per group (line styles). Several runs: one row per group, a curve per run (the run's colour),
     * so that no chart carries runs × groups curves.
     */
    private static List<List<XYChart>> alignmentCharts(List<Path> runs) throws IOException {
        Map<String, Map<String, List<Metrics.Row>>> byRun = new LinkedHashMap<>();   // run name → group → rows
        for (int r = 0; r < runs.size(); r++) {
            String name = runs.get(r).toAbsolutePath().normalize().getFileName().toString();
            if (byRun.containsKey(name)) name += " #" + (r + 1);
            Map<String, List<Metrics.Row>> groups = new LinkedHashMap<>();
            for (Metrics.Row x : Metrics.read(runs.get(r).resolve(Metrics.CSV))) {
                if (x.split().equals(Metrics.ALIGNMENT) && !x.group().equals("head")) groups.computeIfAbsent(x.group(), g -> new ArrayList<>()).add(x);
            }
            byRun.put(name, groups);
        }
        List<List<XYChart>> rows = new ArrayList<>();
        if (byRun.size() == 1) {
            Map<String, List<Metrics.Row>> groups = byRun.values().iterator().next();
            if (groups.isEmpty()) return rows;
            List<XYChart> row = alignmentRow("");
            int k = 0;
            for (var g : groups.entrySet()) addAlignment(row, g.getKey(), g.getValue(), PALETTE[0], DASHES[k++ % DASHES.length]);
            rows.add(row);
            return rows;
        }
        List<String> allGroups = byRun.values().stream().flatMap(g -> g.keySet().stream()).distinct().toList();
        for (String group : allGroups) {
            List<XYChart> row = alignmentRow(" (" + group + ")");
            int r = 0;
            for (var run : byRun.entrySet()) {
                List<Metrics.Row> of = run.getValue().get(group);
                if (of != null) addAlignment(row, run.getKey(), of, PALETTE[r % PALETTE.length], DASHES[0]);
                r++;
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<XYChart> alignmentRow(String suffix) {
        XYChart cosine = chart("gradient cosine with BPTT" + suffix, "step"), ratio = chart("gradient norm ratio to BPTT" + suffix, "step");
        cosine.setYAxisTitle("cosine");
        ratio.setYAxisTitle("‖g‖ / ‖g_bptt‖");
        cosine.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        return List.of(cosine, ratio);
    }

    private static void addAlignment(List<XYChart> row, String name, List<Metrics.Row> rows, Color color, float[] dash) {
        BasicStroke stroke = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f);
        addLine(row.get(0), name, rows, Metrics.Row::cosine, color, stroke);
        addLine(row.get(1), name, rows, Metrics.Row::normRatio, color, stroke);
    }

    /** One line style per group: solid, dashed, dotted, dash-dot, … */
    private static final float[][] DASHES = {{1f, 0f}, {8f, 4f}, {2f, 3f}, {8f, 3f, 2f, 3f}, {14f, 4f}, {4f, 4f}};

    private static void addLine(XYChart c, String name, List<Metrics.Row> rows, ToDoubleFunction<Metrics.Row> y, Color color, BasicStroke stroke) {
        XYSeries s = c.addSeries(name, rows.stream().mapToDouble(Metrics.Row::step).toArray(), rows.stream().mapToDouble(y).toArray());
        s.setMarker(rows.size() == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setLineStyle(stroke);
    }

    private static XYChart chart(String title, String xTitle) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle("perplexity").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        return c;
    }

    private static void add(XYChart c, String name, List<Metrics.Row> rows, ToDoubleFunction<Metrics.Row> x, Color color, boolean dashed) {
        if (rows.isEmpty()) return;
        double[] xs = rows.stream().mapToDouble(x).toArray();
        double[] ys = rows.stream().mapToDouble(Metrics.Row::ppl).toArray();
        XYSeries s = c.addSeries(name, xs, ys);
        s.setMarker(rows.size() == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setLineStyle(dashed ? SeriesLines.DASH_DASH : new BasicStroke(2f));
    }

    /** A log axis labels only powers of ten: use it when the curves (up to {@code top}) cover more than one decade. */
    private static boolean spansADecade(XYChart c, double top) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (XYSeries s : c.getSeriesMap().values()) {
            for (double y : s.getYData()) {
                lo = Math.min(lo, y);
                hi = Math.max(hi, Math.min(y, top));
            }
        }
        return hi > 10 * lo;
    }

    /** The rows whose perplexity can be drawn: a diverged run's ∞ (or NaN) would stop the chart, so those points are left out. */
    static List<Metrics.Row> finite(List<Metrics.Row> rows) {
        return rows.stream().filter(r -> Double.isFinite(r.ppl()) && Double.isFinite(r.elapsedSeconds())).toList();
    }

    /** Mean train loss over consecutive windows of about 1% of the rows, placed at each window's last row. */
    static List<Metrics.Row> smoothed(List<Metrics.Row> train) {
        int window = Math.max(1, train.size() / 100);
        List<Metrics.Row> out = new ArrayList<>();
        for (int i = 0; i < train.size(); i += window) {
            int end = Math.min(train.size(), i + window);
            double sum = 0;
            for (int k = i; k < end; k++) sum += train.get(k).loss();
            Metrics.Row last = train.get(end - 1);
            out.add(new Metrics.Row("train", last.step(), last.epoch(), sum / (end - i), Double.NaN, Double.NaN, Double.NaN, last.elapsedSeconds()));
        }
        return out;
    }
}
