package dsf4j.cli;

import picocli.CommandLine.Option;

/** {@code --offline}, for the commands that open a corpus: never download one (as {@code DSF4J_OFFLINE=1}). */
final class OfflineOption {

    @Option(names = "--offline", description = "never download a corpus: one not on this machine is an error (or set DSF4J_OFFLINE=1)")
    boolean offline;
}
