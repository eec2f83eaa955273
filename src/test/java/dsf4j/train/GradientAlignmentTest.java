package dsf4j.train;

import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engine;
import dsf4j.engine.Engines;
import dsf4j.engine.GradientAgreement;
import dsf4j.config.DsfSolver;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --log-alignment through the trainer: align rows for the first step and every N-th, each the grads
 * measurement (GradientAgreement) of that step's batch at that step's weights; kept once across a
 * resume; plotted in a second panel; summarised; and metrics files from before the columns still read.
 */
class GradientAlignmentTest {

    @TempDir
    Path dir;

    static TrainConfig config(long maxSteps, int every) {
        return AdaptiveLambdaTest.config("fast", Method.DSF, maxSteps, 0, 1).withLogAlignment(every);
    }

    @Test
    void rowsForTheFirstAndEveryNthStepHoldTheGradsMeasurementOfThatBatch() throws IOException {
        TrainConfig c = config(7, 3);
        Path out = dir.resolve("run");
        AdaptiveLambdaTest.train(c, out, null);
        List<Metrics.Row> rows = Metrics.read(out.resolve(Metrics.CSV));
        List<Metrics.Row> align = rows.stream().filter(r -> r.split().equals(Metrics.ALIGNMENT)).toList();
        assertEquals(List.of(1L, 1L, 1L, 1L, 3L, 3L, 3L, 3L, 6L, 6L, 6L, 6L), align.stream().map(Metrics.Row::step).toList());
        assertEquals(List.of("head", "layers.1", "layers.0", "embedding"), align.subList(0, 4).stream().map(Metrics.Row::group).toList());
        assertEquals(7, rows.stream().filter(r -> r.split().equals("train")).count(), "the measurement adds no train step");
        assertEquals(rows.size(), Files.readAllLines(out.resolve(Metrics.JSONL)).size());
        assertTrue(Files.readString(out.resolve(Metrics.JSONL), StandardCharsets.UTF_8).contains("\"split\":\"align\",\"step\":1,"));

        ModelConfig m = Trainer.modelFor(c, AdaptiveLambdaTest.DATA);
        Parameters init = ParamLayout.init(m, c.seed()), exact = init.zerosLike(), approx = init.zerosLike();
        Batch first = AdaptiveLambdaTest.DATA.trainBatches(c.batch(), c.seed(), 0).get(0);
        double loss;
        try (Engine e = Engines.create("fast", m, DsfSolver.SCAN, 1)) {
            loss = e.lossAndGradient(init, first, Method.BPTT, exact);
            e.lossAndGradient(init, first, Method.DSF, approx);
        }
        List<GradientAgreement> expected = GradientAgreement.of(exact, approx, Method.DSF, 2);
        for (int g = 0; g < 4; g++) {
            Metrics.Row r = align.get(g);
            assertEquals(expected.get(g).group(), r.group());
            assertEquals(expected.get(g).cosine(), r.cosine(), 1e-5, r.group());
            assertEquals(expected.get(g).normRatio(), r.normRatio(), 1e-5, r.group());
            assertEquals(loss, r.loss(), 1e-6);
        }
        assertEquals(1.0, align.get(0).cosine(), 1e-6, "the head's gradient is exact in every method");
        assertTrue(align.get(2).cosine() < 0.9999, "DSF's layers.0 gradient is not BPTT's: " + align.get(2).cosine());

        BufferedImage png = ImageIO.read(out.resolve(Trainer.PLOT).toFile());
        assertEquals(2 * Plot.HEIGHT, png.getHeight(), "a second row of panels for the alignment");
        Path only = dir.resolve("alignment.png");
        Plot.write(List.of(out), only, Plot.Panels.ALIGNMENT);
        assertEquals(Plot.HEIGHT, ImageIO.read(only.toFile()).getHeight(), "--panels alignment: that row alone");
        Path twin = Files.createDirectories(dir.resolve("twin"));
        Files.copy(out.resolve(Metrics.CSV), twin.resolve(Metrics.CSV));
        Plot.write(List.of(out, twin), only, Plot.Panels.ALIGNMENT);
        assertEquals(3 * Plot.HEIGHT, ImageIO.read(only.toFile()).getHeight(), "two runs: a row per group (layers.1, layers.0, embedding), a curve per run");
        String row = RunSummary.of(out).markdownRow(true);
        assertTrue(row.endsWith(String.format(java.util.Locale.ROOT, " layers.1 %.3f / %.2f, layers.0 %.3f / %.2f, embedding %.3f / %.2f (step 6) |",
                align.get(9).cosine(), align.get(9).normRatio(), align.get(10).cosine(), align.get(10).normRatio(), align.get(11).cosine(), align.get(11).normRatio())), row);
    }

    @Test
    void aResumedRunLogsEachMeasurementOnceAndMayChangeThePeriod() throws IOException {
        Path out = dir.resolve("run");
        AdaptiveLambdaTest.train(config(4, 3), out, null);
        Checkpoint half = Checkpoint.load(out.resolve(Trainer.LAST));
        AdaptiveLambdaTest.train(config(7, 2), out, half);
        List<Long> steps = Metrics.read(out.resolve(Metrics.CSV)).stream().filter(r -> r.split().equals(Metrics.ALIGNMENT) && r.group().equals("layers.0"))
                .map(Metrics.Row::step).toList();
        assertEquals(List.of(1L, 3L, 6L), steps, "1 and 3 from the first session (steps 1–4, period 3), 6 from the resumed one (steps 5–7, period 2)");
    }

    @Test
    void runsWithoutAlignmentKeepOnePanelRowAndTheSummaryItsColumns() throws IOException {
        Path out = dir.resolve("plain");
        AdaptiveLambdaTest.train(config(3, 0), out, null);
        assertEquals(Plot.HEIGHT, ImageIO.read(out.resolve(Trainer.PLOT).toFile()).getHeight());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Plot.write(List.of(out), dir.resolve("a.png"), Plot.Panels.ALIGNMENT));
        assertTrue(e.getMessage().startsWith("no run logged its gradient alignment: train with --log-alignment N"), e.getMessage());
        RunSummary s = RunSummary.of(out);
        assertTrue(s.lastAlignment().isEmpty());
        assertEquals(s.markdownRow() + " – |", s.markdownRow(true));
    }

    @Test
    void metricsFilesWrittenBeforeTheAlignmentColumnsStillRead() throws IOException {
        Path v2 = dir.resolve("v2.csv"), v1 = dir.resolve("v1.csv");
        Files.writeString(v2, Metrics.HEADER_V2 + "\ntrain,1,0,5.000000,148.4132,0.001,2.5,1000,1.000,0.25\nvalid,1,0,4.900000,134.2898,,,,2.000,\n");
        Files.writeString(v1, Metrics.HEADER_V1 + "\ntrain,1,0,5.000000,148.4132,0.001,2.5,1000,1.000\n");
        List<Metrics.Row> a = Metrics.read(v2), b = Metrics.read(v1);
        assertEquals(2, a.size());
        assertEquals(0.25, a.get(0).padding(), 0);
        assertEquals("", a.get(0).group());
        assertTrue(Double.isNaN(a.get(1).cosine()) && Double.isNaN(b.get(0).padding()) && Double.isNaN(b.get(0).normRatio()));
        assertFalse(Metrics.HEADER.equals(Metrics.HEADER_V2));
    }
}
