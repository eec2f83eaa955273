package dsf4j.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The console of a training run: a progress line (rewritten in place on a terminal, printed every
 * {@code printEverySeconds} otherwise), evaluation lines and epoch summaries.
 */
final class Progress {

    private final PrintStream out;
    private final boolean live;
    private final double printEverySeconds;
    private long lastPrintNanos;
    private boolean lineOpen;

    Progress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
        this.printEverySeconds = live ? 0.25 : 30;
        this.lastPrintNanos = System.nanoTime();
    }

    /**
     * @param tokensPerSecond targets the loss sees per second of training
     * @param padding         the share of the computed B·T cells that are padding (0 … 1)
     */
    void step(long step, long total, int epoch, int epochs, double loss, double lr, double gradNorm, double tokensPerSecond, double padding,
              double etaSeconds) {
        long now = System.nanoTime();
        if (step != total && (now - lastPrintNanos) / 1e9 < printEverySeconds) return;
        lastPrintNanos = now;
        String line = String.format(Locale.ROOT, "step %d/%d  epoch %d/%d  loss %.4f  ppl %.2f  lr %.3g  |g| %.3g  %s  ETA %s",
                step, total, epoch + 1, epochs, loss, Math.exp(loss), lr, gradNorm, throughput(tokensPerSecond, padding), duration(etaSeconds));
        if (live) {
            out.print("\r" + line + "\u001b[K");
            lineOpen = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    void line(String s) {
        if (lineOpen) out.print("\r\u001b[K");
        lineOpen = false;
        out.println(s);
        out.flush();
    }

    /** "6.0k tok/s", with the padding share beside it when the engine computed padded cells: "6.0k tok/s, 41% padding". */
    static String throughput(double tokensPerSecond, double padding) {
        String rate = compact(tokensPerSecond) + " tok/s";
        return padding >= 0.005 ? String.format(Locale.ROOT, "%s, %.0f%% padding", rate, 100 * padding) : rate;
    }

    static String compact(double v) {
        if (v >= 1e6) return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        if (v >= 1e3) return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
