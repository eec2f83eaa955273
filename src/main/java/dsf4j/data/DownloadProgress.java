package dsf4j.data;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress of one download on stderr. On a terminal ({@code live}) a bar redrawn in place, at most ten
 * times a second: {@code dsf4j: ptb.train.txt  [##########..........]  52%  2.6/5.1 MB  1.8 MB/s}; elsewhere
 * (a log file, a pipe) one line every {@value #QUIET_SECONDS} seconds, so that a log holds no control characters.
 */
final class DownloadProgress {

    static final int BAR = 30;
    static final double QUIET_SECONDS = 10;

    private final PrintStream out;
    private final boolean live;
    private final String label;
    private final long start = System.nanoTime();
    private long total = -1, done, lastDraw = System.nanoTime();
    private boolean drawn;

    /** @param label what is downloaded (a file name) */
    DownloadProgress(PrintStream out, boolean live, String label) {
        this.out = out;
        this.live = live;
        this.label = label;
    }

    /** The size to expect in bytes, -1 when unknown. */
    void total(long bytes) {
        total = bytes;
    }

    /** {@code n} more bytes have arrived. */
    void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if ((now - lastDraw) / 1e9 < (live ? 0.1 : QUIET_SECONDS)) return;
        lastDraw = now;
        if (live) {
            out.print("\r" + line(true) + "\u001b[K");
            drawn = true;
        } else {
            out.println(line(false));
        }
        out.flush();
    }

    /** Ends the bar (the download finished or failed); the next line starts at the left margin. */
    void end() {
        if (live && drawn) {
            out.print("\r" + line(true) + "\u001b[K\n");
            out.flush();
        }
        drawn = false;
    }

    /** Bytes received so far. */
    long bytes() {
        return done;
    }

    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** The progress as one line, with a bar or without. */
    String line(boolean bar) {
        String rate = megabytes(done / Math.max(seconds(), 1e-3)) + "/s";
        if (total <= 0) return String.format(Locale.ROOT, "dsf4j: %s  %s  %s", label, megabytes(done), rate);
        double f = Math.min(1, (double) done / total);
        if (!bar) return String.format(Locale.ROOT, "dsf4j: %s: %.0f%% (%s of %s, %s)", label, 100 * f, megabytes(done), megabytes(total), rate);
        int filled = (int) Math.round(f * BAR);
        return String.format(Locale.ROOT, "dsf4j: %s  [%s%s]  %3.0f%%  %s/%s  %s", label, "#".repeat(filled), ".".repeat(BAR - filled), 100 * f,
                number(done), megabytes(total), rate);
    }

    /** "5.1 MB" (decimal megabytes, as download sizes are usually given). */
    static String megabytes(double bytes) {
        return number(bytes) + " MB";
    }

    private static String number(double bytes) {
        double mb = bytes / 1e6;
        return String.format(Locale.ROOT, mb < 10 ? "%.1f" : "%.0f", mb);
    }
}
