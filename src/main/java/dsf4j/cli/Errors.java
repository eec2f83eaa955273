package dsf4j.cli;

import dsf4j.collective.JobFailure;
import dsf4j.collective.Launch;
import dsf4j.data.FetchFailed;
import dsf4j.train.TrainingHalted;
import picocli.CommandLine;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Turns every failure into one line on stderr that names the problem, and an exit status ≠ 0:
 * {@value #BAD_INPUT} for bad input (flags, files, configurations: an {@link IllegalArgumentException}
 * whose message names the fix), {@value #FAILED} for anything else (an I/O error, a halted run, out
 * of memory, a bug). {@code --debug} (or the environment variable {@code DSF4J_DEBUG=1}) prints the
 * stack trace as well.
 */
final class Errors implements IExecutionExceptionHandler, IParameterExceptionHandler {

    static final int BAD_INPUT = 2;
    static final int FAILED = 1;
    static final String DEBUG_FLAG = "--debug";

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String line = oneLine(ex.getMessage()) + " (see: ./run.sh " + cmd.getCommandName() + " --help)";
        int rank = Launch.rankOrZero(System.getenv());
        if (rank != 0) return late(rank, line, BAD_INPUT, cmd.getErr());   // one process of an MPI launch: rank 0 says it for all
        cmd.getErr().println("dsf4j: " + line);
        return BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        return report(ex, cmd.getErr(), debug(parsed));
    }

    /** Prints {@code t} as one line (and its stack trace when {@code debug}); returns the exit status. */
    static int report(Throwable t, PrintWriter err, boolean debug) {
        if (t instanceof ExecutionException e && e.getCause() != null) t = e.getCause();
        if (t instanceof JobFailure j) {   // data parallel: rank 0 (or the process that alone failed) reports, the others only end
            if (j.report()) {
                if (debug) j.getCause().printStackTrace(err);
                err.println("dsf4j: " + j.prefix() + message(j.getCause(), debug));
                err.flush();
            }
            return j.status();
        }
        if (debug) t.printStackTrace(err);
        err.println("dsf4j: " + message(t, debug));
        err.flush();
        return status(t);
    }

    /**
     * A failure of a process of an MPI launch other than rank 0, before MPI could synchronise them (a
     * flag, no MPI library). Usually every process has it, the same command line, and rank 0 reports it:
     * the launcher then ends the job, this process included, about a second after rank 0 exits. So this
     * one waits {@value #LATE_MS} ms first, and prints the line (with its rank) only if it is still alive
     * then: when rank 0 did not fail the same way (a launch with different command lines).
     *
     * @return {@code status}
     */
    static int late(int rank, String line, int status, PrintWriter err) {
        try {
            Thread.sleep(LATE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        err.println("dsf4j: rank " + rank + ": " + line);
        err.flush();
        return status;
    }

    static final long LATE_MS = 3000;

    /** The exit status of a failure: {@value #BAD_INPUT} for bad input, {@value #FAILED} for anything else. */
    static int status(Throwable t) {
        return t instanceof IllegalArgumentException ? BAD_INPUT : FAILED;
    }

    /** Whether {@code --debug} was given (before or after the subcommand) or {@code DSF4J_DEBUG} is set. */
    static boolean debug(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption(DEBUG_FLAG)) return true;
        }
        return debugEnv();
    }

    static boolean debugEnv() {
        String env = System.getenv("DSF4J_DEBUG");
        return env != null && !env.isBlank() && !env.equals("0");
    }

    static String message(Throwable ex, boolean debug) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) ex = u.getCause();
        String m = ex.getMessage() == null ? null : oneLine(ex.getMessage());
        String rerun = debug ? "" : " (rerun with --debug for the stack trace)";
        if (ex instanceof IllegalArgumentException || ex instanceof TrainingHalted || ex instanceof FetchFailed) return m == null ? ex.getClass().getSimpleName() : m;
        if (ex instanceof IOException) return "I/O error: " + (m == null ? ex.getClass().getSimpleName() : ex.getClass().getSimpleName() + ": " + m)
                + ": check the path, its permissions and the free disk space" + rerun;
        if (ex instanceof OutOfMemoryError) {
            return "out of memory (" + m + "; -Xmx is " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): give the JVM more heap (DSF4J_JAVA_OPTS=-Xmx16g) "
                    + "or lower --batch, --seq or --hidden; saved checkpoints are intact";
        }
        if (ex instanceof StackOverflowError) return "stack overflow: give the JVM a larger thread stack (DSF4J_JAVA_OPTS=-Xss64m)" + rerun;
        return "internal error: " + ex.getClass().getName() + (m == null ? "" : ": " + m) + rerun + "; please report it";
    }

    static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
