package dsf4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns every failure into one line on stderr that names the problem, and an exit status ≠ 0.
 * Set {@code DSF4J_DEBUG=1} to see the stack trace as well.
 */
final class Errors implements IExecutionExceptionHandler, IParameterExceptionHandler {

    static final int BAD_INPUT = 2;
    static final int FAILED = 1;

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        cmd.getErr().println("dsf4j: " + ex.getMessage() + " (see: ./run.sh " + cmd.getCommandName() + " --help)");
        return BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        if (System.getenv("DSF4J_DEBUG") != null) ex.printStackTrace(cmd.getErr());
        cmd.getErr().println("dsf4j: " + message(ex));
        return ex instanceof IllegalArgumentException ? BAD_INPUT : FAILED;
    }

    static String message(Throwable ex) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) ex = u.getCause();
        String m = ex.getMessage();
        if (ex instanceof IOException) return "I/O error: " + (m == null ? ex.getClass().getSimpleName() : m);
        if (ex instanceof OutOfMemoryError) return "out of memory: give the JVM more heap (DSF4J_JAVA_OPTS=-Xmx16g) or shrink --batch/--hidden";
        return m == null ? ex.getClass().getSimpleName() : m;
    }
}
