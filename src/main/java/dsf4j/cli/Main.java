package dsf4j.cli;

import dsf4j.train.Presets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;

/** The {@code dsf4j} command line: thin commands that parse flags, then call the library. */
@Command(name = "dsf4j", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Train recurrent language models with BPTT, FT-BPTT and Diagonal State Feedbacks (DSF).",
        subcommands = {TrainCommand.class, EvalCommand.class, GenerateCommand.class, PlotCommand.class, SummaryCommand.class,
                GradsCommand.class, BenchCommand.class, FetchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = Errors.DEBUG_FLAG, scope = ScopeType.INHERIT,
            description = "on an error, print the stack trace as well as the one-line message (or set DSF4J_DEBUG=1)")
    boolean debug;

    public static void main(String[] args) {
        // A failure on another thread is one line too, not a stack trace.
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> Errors.report(e, stderr(), Errors.debugEnv() || hasDebugFlag(args)));
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status; errors are one line on stderr. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new Errors());
        cli.setParameterExceptionHandler(new Errors());
        try {
            return cli.execute(args.length == 0 ? new String[] {"train", "--preset", Presets.QUICKSTART} : args);
        } catch (RuntimeException | Error e) {   // what picocli lets through (an Error such as OutOfMemoryError)
            return Errors.report(e, stderr(), Errors.debugEnv() || hasDebugFlag(args));
        }
    }

    private static boolean hasDebugFlag(String[] args) {
        for (String a : args) if (a.equals(Errors.DEBUG_FLAG)) return true;
        return false;
    }

    private static PrintWriter stderr() {
        return new PrintWriter(System.err, true, System.err.charset());
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
