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
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * A PNG of train and validation perplexity of one or more runs: against optimizer steps on the
 * left, against wall time on the right (a log scale when they span more than a decade); one colour per run, train dashed, valid solid.
 * The train curve is the perplexity of the mean loss over windows of about 1% of the run. Points whose perplexity
 * is not finite (a diverged run's) are left out.
 */
public final class Plot {

    static final int WIDTH = 800, HEIGHT = 560;
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private Plot() {}

    /** Reads {@code metrics.csv} in each run folder and writes the two charts side by side to {@code png}. */
    public static void write(List<Path> runs, Path png) throws IOException {
        if (runs.isEmpty()) throw new IllegalArgumentException("no run folder to plot: give one or more folders written by dsf4j train");
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
        BufferedImage img = new BufferedImage(2 * WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        bySteps.paint(g, WIDTH, HEIGHT);
        g.translate(WIDTH, 0);
        byTime.paint(g, WIDTH, HEIGHT);
        g.dispose();
        AtomicFiles.write(png, o -> {
            if (!ImageIO.write(img, "png", o)) throw new IOException("no PNG writer in this Java runtime");
        });
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
