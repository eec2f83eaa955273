package dsf4j.train;

import com.google.gson.JsonObject;
import dsf4j.io.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * {@code loss} is the mean cross-entropy in nats, {@code ppl} = exp(loss).
 */
public final class Metrics implements AutoCloseable {

    public static final String CSV = "metrics.csv", JSONL = "metrics.jsonl";
    /** The split of the row of a skipped update. */
    public static final String SKIPPED = "skipped";
    static final String HEADER = "split,step,epoch,loss,ppl,lr,grad_norm,tokens_per_s,elapsed_s";

    /** One row; lr, grad norm and speed are NaN on evaluation rows. */
    public record Row(String split, long step, int epoch, double loss, double lr, double gradNorm, double tokensPerSecond, double elapsedSeconds) {
        public double ppl() {
            return Math.exp(loss);
        }

        String csv() {
            return String.format(Locale.ROOT, "%s,%d,%d,%.6f,%.4f,%s,%s,%s,%.3f", split, step, epoch, loss, ppl(),
                    num(lr), num(gradNorm), num(tokensPerSecond), elapsedSeconds);
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
     */
    public static Metrics open(Path dir, long keepUpToStep) throws IOException {
        Path c = dir.resolve(CSV), j = dir.resolve(JSONL);
        List<String> csvRows = new ArrayList<>(), jsonRows = new ArrayList<>();
        if (keepUpToStep >= 0 && Files.exists(c)) {
            List<Row> kept = read(c).stream().filter(r -> r.step <= keepUpToStep).toList();
            for (Row r : kept) {
                csvRows.add(r.csv());
                jsonRows.add(r.json());
            }
        }
        // The kept rows reach the disk whole before anything else happens: a kill -9 before the first
        // flush used to leave an empty metrics.csv, which the next --resume refused.
        AtomicFiles.removeLeftovers(c);
        AtomicFiles.removeLeftovers(j);
        csvRows.addFirst(HEADER);
        AtomicFiles.write(c, out -> out.write(lines(csvRows)));
        AtomicFiles.write(j, out -> out.write(lines(jsonRows)));
        BufferedWriter cw = Files.newBufferedWriter(c, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        BufferedWriter jw = Files.newBufferedWriter(j, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return new Metrics(cw, jw);
    }

    private static byte[] lines(List<String> rows) {
        StringBuilder b = new StringBuilder();
        for (String r : rows) b.append(r).append(System.lineSeparator());
        return b.toString().getBytes(StandardCharsets.UTF_8);
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
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException(csvFile + ": not a dsf4j metrics file (its first line is not '" + HEADER + "'): give a run folder written by dsf4j train");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] p = lines.get(i).split(",", -1);
            if (p.length != 9) continue;   // a line cut short by a crash
            try {
                rows.add(new Row(p[0], Long.parseLong(p[1]), Integer.parseInt(p[2]), Double.parseDouble(p[3]), opt(p[5]), opt(p[6]), opt(p[7]),
                        Double.parseDouble(p[8])));
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
