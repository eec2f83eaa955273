package dsf4j.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The download's progress: a bar redrawn in place on a terminal, plain lines elsewhere, never a control character in a log. */
class DownloadProgressTest {

    @Test
    void theBarShowsTheShareTheSizesAndTheRate() {
        DownloadProgress p = new DownloadProgress(new PrintStream(new ByteArrayOutputStream()), true, "ptb.train.txt");
        p.total(5_101_618);
        p.advance(2_600_000);
        assertTrue(p.line(true).matches("dsf4j: ptb\\.train\\.txt  \\[#{15}\\.{15}]   51%  2\\.6/5\\.1 MB  [0-9.]+ MB/s"), p.line(true));
        assertTrue(p.line(false).matches("dsf4j: ptb\\.train\\.txt: 51% \\(2\\.6 MB of 5\\.1 MB, [0-9.]+ MB/s\\)"), p.line(false));
        p.total(-1);
        assertTrue(p.line(true).matches("dsf4j: ptb\\.train\\.txt  2\\.6 MB  [0-9.]+ MB/s"), "unknown size: " + p.line(true));
        assertEquals(2_600_000, p.bytes());
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndEndsTheLine() throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DownloadProgress p = new DownloadProgress(new PrintStream(out, true, StandardCharsets.UTF_8), true, "f");
        p.total(100);
        Thread.sleep(120);
        p.advance(50);
        Thread.sleep(120);
        p.advance(50);
        p.end();
        String s = out.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("\rdsf4j: f  [") && s.endsWith("100%  0.0/0.0 MB  0.0 MB/s\u001b[K\n") && s.split("\r").length == 4, s);
    }

    @Test
    void elsewhereNothingIsPrintedForAShortDownload() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DownloadProgress p = new DownloadProgress(new PrintStream(out, true, StandardCharsets.UTF_8), false, "f");
        p.total(100);
        p.advance(100);
        p.end();
        assertEquals("", out.toString(StandardCharsets.UTF_8), "a line only every " + DownloadProgress.QUIET_SECONDS + " s");
    }
}
