package dsf4j.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (or "dev" when run from classes). */
public final class Version implements IVersionProvider {

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"dsf4j " + get()};
    }
}
