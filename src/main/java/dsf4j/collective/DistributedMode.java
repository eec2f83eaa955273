package dsf4j.collective;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --distributed}: whether a run is one process or one of the processes of an MPI job.
 * <ul>
 * <li>{@code auto} (the default): MPI when an MPI launcher started the process ({@link Launch}), one
 *     process otherwise; MPI is never loaded by a process started by hand.</li>
 * <li>{@code off}: one process, even under a launcher (each process then trains alone).</li>
 * <li>{@code mpi}: MPI, required: a process started by hand becomes a job of one (an MPI "singleton").</li>
 * </ul>
 */
public enum DistributedMode {
    AUTO, OFF, MPI;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DistributedMode parse(String s) {
        for (DistributedMode m : values()) if (m.id().equals(s.trim().toLowerCase(Locale.ROOT))) return m;
        throw new IllegalArgumentException("unknown --distributed '" + s + "': use auto (MPI when started by mpirun or srun), off or mpi");
    }

    /** The collective of this process, for the system's environment and library search. */
    public Collective open() {
        return open(System.getenv(), MpiLibraryFinder.system());
    }

    /**
     * The collective this mode gives in {@code env}: {@link SingleProcess#INSTANCE}, or an
     * initialised {@link MpiCollective} (which the caller closes).
     *
     * @throws IllegalArgumentException one line, when MPI is needed and cannot be had, or when MPI's
     *                                  count of processes contradicts the launcher's
     */
    public Collective open(Map<String, String> env, MpiLibraryFinder finder) {
        Optional<Launch> launch = Launch.detect(env);
        if (this == OFF || (this == AUTO && launch.isEmpty())) return SingleProcess.INSTANCE;
        String why = this == MPI ? "--distributed mpi" : "this process was started by " + launch.get().describe();
        String library = finder.find().map(Object::toString).orElse(MpiLibraryFinder.LIBRARY);   // the bare name: the system loader's search
        MpiCollective c;
        try {
            c = MpiCollective.init(library);
        } catch (IllegalArgumentException e) {
            if (!library.equals(MpiLibraryFinder.LIBRARY)) throw e;
            throw new IllegalArgumentException(why + ", but Open MPI's " + MpiLibraryFinder.LIBRARY + " is not in " + finder.searched()
                    + " nor the loader's cache: install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev), set DSF4J_MPI_LIB to its libmpi.so.40, "
                    + "or run one process with --distributed off");
        }
        int expected = launch.map(Launch::size).orElse(-1);
        if (expected > 1 && c.size() != expected) {
            int seen = c.size();
            c.close();
            throw new IllegalArgumentException(launch.get().launcher() + " started " + expected + " processes but Open MPI sees " + seen
                    + ": the launcher is not Open MPI's (MPICH's mpiexec?) or srun lacks --mpi=pmix; launch with Open MPI's mpirun or srun --mpi=pmix");
        }
        return c;
    }
}
