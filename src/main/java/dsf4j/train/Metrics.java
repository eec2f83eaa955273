package dsf4j.train;

import com.google.gson.JsonObject;
import dsf4j.io.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run's measurements, one row per training step and per evaluation, in {@code metrics.csv} and
 * {@code metrics.jsonl} (the same rows). {@code split} is train, valid or test, or {@value #SKIPPED}
 * for a step whose update was skipped for a non-finite loss or gradient ({@code --on-nan skip});
 * {@code loss} is the mean cross-entropy in nats, {@code ppl} = exp(loss); {@code tokens_per_s} counts the
 * targets the loss sees (not the pad cells) per second of training, and {@code padding} is the share of
 * the batch's B·T cells that the loss does not see (work spent on padding).
 */
public final class Metrics implements AutoCloseable {

    public static final String CSV = "metrics.csv", JSONL = "metrics.jsonl";
    /** The split of the row of a skipped update. */
    public static final String SKIPPED = "skipped";
    static final String HEADER = "split,step,epoch,loss,ppl,lr,grad_norm,tokens_per_s,elapsed_s,padding";
    /** The header before the padding column (runs of dsf4j 0.1 up to 2026-11-28); still read. */
    static final String HEADER_V1 = "split,step,epoch,loss,ppl,lr,grad_norm,tokens_per_s,elapsed_s";

    /** One row; lr, grad norm, speed and padding are NaN on evaluation rows. */
    public record Row(String split, long step, int epoch, double loss, double lr, double gradNorm, double tokensPerSecond, double elapsedSeconds,
                      double padding) {

        /** A row without a padding figure (evaluation rows). */
        public Row(String split, long step, int epoch, double loss, double lr, double gradNorm, double tokensPerSecond, double elapsedSeconds) {
            this(split, step, epoch, loss, lr, gradNorm, tokensPerSecond, elapsedSeconds, Double.NaN);
        }

        public double ppl() {
            return Math.exp(loss);
        }

        String csv() {
            return String.format(Locale.ROOT, "%s,%d,%d,%.6f,%.4f,%s,%s,%s,%.3f,%s", split, step, epoch, loss, ppl(),
                    num(lr), num(gradNorm), num(tokensPerSecond), elapsedSeconds, num(padding));
        }

        String json() {
            JsonObject o = new JsonObject();
            o.addProperty("split", split);
            o.addProperty("step", step);
            o.addProperty("epoch", epoch);
            o.addProperty("loss", loss);
            o.addProperty("ppl", ppl());
            if (!Double.isNaN(lr)) o.addProperty("lr", lr);
            if (!Double.isNaN(gradNorm)) o.addProperty("grad_norm", gradNorm);
            if (!Double.isNaN(tokensPerSecond)) o.addProperty("tokens_per_s", tokensPerSecond);
            o.addProperty("elapsed_s", elapsedSeconds);
            if (!Double.isNaN(padding)) o.addProperty("padding", padding);
            return o.toString();
        }

        private static String num(double v) {
            return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
        }
    }

    private final BufferedWriter csv, jsonl;

    /**
     * Opens the files of run folder {@code dir}. A fresh run ({@code keepUpToStep} < 0) starts them
     * empty; a resumed run keeps the rows up to its checkpoint's step and drops any written after it.
     * The files are first replaced atomically by the header and the kept rows, so a run killed at any
     * moment leaves a metrics.csv that the next {@code --resume} can read; new rows are appended.
     */
    public static Metrics open(Path dir, long keepUpToStep) throws IOException {
        Path c = dir.resolve(CSV), j = dir.resolve(JSONL);
        StringBuilder csvText = new StringBuilder(HEADER).append(System.lineSeparator()), jsonText = new StringBuilder();
        if (keepUpToStep >= 0 && Files.exists(c) && Files.size(c) > 0) {
            for (Row r : read(c)) {
                if (r.step > keepUpToStep) continue;
                csvText.append(r.csv()).append(System.lineSeparator());
                jsonText.append(r.json()).append(System.lineSeparator());
            }
        }
        AtomicFiles.write(c, out -> out.write(csvText.toString().getBytes(StandardCharsets.UTF_8)));
        AtomicFiles.write(j, out -> out.write(jsonText.toString().getBytes(StandardCharsets.UTF_8)));
        BufferedWriter cw = Files.newBufferedWriter(c, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        BufferedWriter jw = Files.newBufferedWriter(j, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return new Metrics(cw, jw);
    }

    /** Metrics that go nowhere: a data-parallel process other than rank 0, which writes the run's files. */
    public static Metrics discard() {
        return new Metrics(new BufferedWriter(Writer.nullWriter()), new BufferedWriter(Writer.nullWriter()));
    }

    private Metrics(BufferedWriter csv, BufferedWriter jsonl) {
        this.csv = csv;
        this.jsonl = jsonl;
    }

    public void add(Row r) {
        try {
            csv.write(r.csv());
            csv.newLine();
            jsonl.write(r.json());
            jsonl.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pushes the rows to disk (at each evaluation, so a plot of a running job is current). */
    public void flush() {
        try {
            csv.flush();
            jsonl.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try (csv; jsonl) {
            flush();
        }
    }

    /** The rows of a {@code metrics.csv}. */
    public static List<Row> read(Path csvFile) throws IOException {
        List<String> lines = Files.readAllLines(csvFile, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !(lines.get(0).equals(HEADER) || lines.get(0).equals(HEADER_V1))) {
            throw new IllegalArgumentException(csvFile + ": not a dsf4j metrics file (its first line is not '" + HEADER + "'): give a run folder written by dsf4j train");
        }
        int columns = lines.get(0).split(",").length;
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] p = lines.get(i).split(",", -1);
            if (p.length != columns) continue;   // a line cut short by a crash
            try {
                rows.add(new Row(p[0], Long.parseLong(p[1]), Integer.parseInt(p[2]), Double.parseDouble(p[3]), opt(p[5]), opt(p[6]), opt(p[7]),
                        Double.parseDouble(p[8]), columns > 9 ? opt(p[9]) : Double.NaN));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(csvFile + ":" + (i + 1) + ": malformed row '" + lines.get(i) + "': fix or delete that line");
            }
        }
        return rows;
    }

    private static double opt(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
