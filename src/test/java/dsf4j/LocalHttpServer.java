package dsf4j;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server on 127.0.0.1 (a free port) for the download tests, which never leave the machine. Each path
 * is served well, or badly: cut off mid-body (the declared length is never reached), stalled mid-body, or
 * answered with a status; every other path is a 404. Requests are counted per path.
 */
public final class LocalHttpServer implements AutoCloseable {

    private interface Behaviour {
        void answer(HttpExchange x) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-http");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Behaviour> paths = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private LocalHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", x -> {
            String path = x.getRequestURI().getPath();
            requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            try (x) {
                Behaviour b = paths.get(path);
                if (b == null) x.sendResponseHeaders(404, -1);
                else b.answer(x);
            } catch (IOException | InterruptedException e) {
                // a cut-off answer ends here on purpose
            }
        });
        server.start();
    }

    public static LocalHttpServer start() throws IOException {
        return new LocalHttpServer();
    }

    /** {@code http://127.0.0.1:PORT} + {@code path}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Serves {@code body} whole, with its Content-Length. */
    public LocalHttpServer serve(String path, byte[] body) {
        paths.put(path, x -> {
            x.sendResponseHeaders(200, body.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        });
        return this;
    }

    /** Declares {@code body}'s full length, sends its first {@code sent} bytes, then closes the connection. */
    public LocalHttpServer cut(String path, byte[] body, int sent) {
        paths.put(path, x -> {
            x.sendResponseHeaders(200, body.length);
            OutputStream o = x.getResponseBody();
            o.write(body, 0, sent);
            o.flush();   // then the exchange's close (try-with-resources) drops the connection, the body short of its length
        });
        return this;
    }

    /** Sends the first {@code sent} bytes of {@code body}, then nothing for {@code millis}. */
    public LocalHttpServer stall(String path, byte[] body, int sent, long millis) {
        paths.put(path, x -> {
            x.sendResponseHeaders(200, body.length);
            OutputStream o = x.getResponseBody();
            o.write(body, 0, sent);
            o.flush();
            Thread.sleep(millis);
        });
        return this;
    }

    /** Answers with HTTP {@code status} and no body. */
    public LocalHttpServer status(String path, int status) {
        paths.put(path, x -> x.sendResponseHeaders(status, -1));
        return this;
    }

    /** Redirects to {@code location}. */
    public LocalHttpServer redirect(String path, String location) {
        paths.put(path, x -> {
            x.getResponseHeaders().add("Location", location);
            x.sendResponseHeaders(302, -1);
        });
        return this;
    }

    /** How many requests {@code path} received. */
    public int requests(String path) {
        AtomicInteger n = requests.get(path);
        return n == null ? 0 : n.get();
    }

    /** Requests received on every path together. */
    public int requests() {
        return requests.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
