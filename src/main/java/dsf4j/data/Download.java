package dsf4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.time.Duration;

/**
 * One download (http, https or file URL) into a stream. A server that does not answer within the connect
 * timeout, or stalls for longer than the read timeout, fails instead of hanging; redirects are followed
 * (from http to https too, which {@link HttpURLConnection} does not do by itself); a status other than 200 and a body
 * shorter than its {@code Content-Length} (a connection dropped mid-file) are errors.
 */
final class Download {

    static final int MAX_REDIRECTS = 5;

    private final Duration connectTimeout, readTimeout;

    Download(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /**
     * Copies the body of {@code url} to {@code out} (not closed), reporting to {@code progress}.
     *
     * @return the number of bytes copied
     * @throws IOException naming what went wrong in a few words (an HTTP status, a timeout, a short body)
     */
    long copy(URI url, OutputStream out, DownloadProgress progress) throws IOException {
        URLConnection c = open(url);
        long length = c.getContentLengthLong();
        progress.total(length);
        byte[] buf = new byte[1 << 16];
        long copied = 0;
        try (InputStream in = c.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                copied += n;
                progress.advance(n);
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new IOException("no data for " + readTimeout.toMillis() / 1000.0 + " s after " + copied + " bytes (the server stalled)");
        } catch (IOException e) {
            throw new IOException(ended(copied, length) + " (" + e.getMessage() + ")", e);
        } finally {
            progress.end();
        }
        if (length >= 0 && copied != length) throw new IOException(ended(copied, length));
        return copied;
    }

    private static String ended(long copied, long length) {
        return "the connection ended after " + copied + (length >= 0 ? " of " + length : "") + " bytes";
    }

    /** A connection whose response is 200 OK (or a file), after at most {@value #MAX_REDIRECTS} redirects. */
    private URLConnection open(URI url) throws IOException {
        URI at = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            URLConnection c = at.toURL().openConnection();
            c.setConnectTimeout((int) connectTimeout.toMillis());
            c.setReadTimeout((int) readTimeout.toMillis());
            if (!(c instanceof HttpURLConnection h)) return c;
            h.setInstanceFollowRedirects(false);
            h.setRequestProperty("User-Agent", "dsf4j");
            int code;
            try {
                code = h.getResponseCode();
            } catch (java.net.SocketTimeoutException e) {
                throw new IOException("no answer within " + readTimeout.toMillis() / 1000.0 + " s");
            } catch (java.net.UnknownHostException e) {
                throw new IOException("unknown host " + at.getHost() + " (no network, or no name server)");
            }
            if (code == HttpURLConnection.HTTP_OK) return h;
            String location = h.getHeaderField("Location"), message = h.getResponseMessage();
            h.disconnect();
            if (code / 100 == 3 && location != null) {
                at = at.resolve(location);
                continue;
            }
            throw new IOException("HTTP " + code + (message == null ? "" : " " + message));
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects");
    }
}
