package dsf4j.train;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Where a checkpoint came from: the dsf4j version, the git commit of the working directory (when
 * there is one), the data (the dataset's provenance line: corpus, mode, sha256 of each file), the
 * command line, and how many processes trained it ({@link DataParallel}; a resume on another number
 * continues, but not bit-identically).
 */
public record Provenance(String version, String gitCommit, String data, String commandLine, int worldSize) {

    /** Provenance of a run on one process. */
    public Provenance(String version, String gitCommit, String data, String commandLine) {
        this(version, gitCommit, data, commandLine, 1);
    }

    public static Provenance of(String data, String commandLine) {
        return new Provenance(dsf4jVersion(), currentGitCommit(), data, commandLine);
    }

    /** The version from the jar manifest (or "dev" when run from classes). */
    public static String dsf4jVersion() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** This provenance for a run on {@code n} processes. */
    public Provenance withWorldSize(int n) {
        return new Provenance(version, gitCommit, data, commandLine, n);
    }

    String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("dsf4j_version", version);
        o.addProperty("git_commit", gitCommit);
        o.addProperty("data", data);
        o.addProperty("command_line", commandLine);
        o.addProperty("world_size", worldSize);
        o.addProperty("written_at", Instant.now().toString());
        return o.toString();
    }

    /** {@code git rev-parse HEAD} in the working directory, or "unknown" (no git, not a repository, or slow). */
    static String currentGitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
