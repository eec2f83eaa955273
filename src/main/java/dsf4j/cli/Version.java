package dsf4j.cli;

import dsf4j.train.Provenance;
import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (or "dev" when run from classes), for {@code --version}. */
public final class Version implements IVersionProvider {

    public static String get() {
        return Provenance.dsf4jVersion();
    }

    @Override
    public String[] getVersion() {
        return new String[] {"dsf4j " + get()};
    }
}
