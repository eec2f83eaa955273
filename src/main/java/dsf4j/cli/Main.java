package dsf4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dsf4j} command line: thin commands that parse flags, then call the library. */
@Command(name = "dsf4j", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Train recurrent language models with BPTT, FT-BPTT and Diagonal State Feedbacks (DSF).",
        subcommands = {GradsCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status; errors are one line on stderr. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new Errors());
        cli.setParameterExceptionHandler(new Errors());
        return cli.execute(args.length == 0 ? new String[] {"--help"} : args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
