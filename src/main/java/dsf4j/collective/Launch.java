package dsf4j.collective;

import java.util.Map;
import java.util.Optional;

/**
 * How this process was started, as the environment tells before MPI is initialised: by an MPI
 * launcher, which one, and (when it says) this process's rank and the number of processes. Read from
 * the variables the launchers set: {@code OMPI_COMM_WORLD_RANK}/{@code _SIZE} (Open MPI's mpirun),
 * {@code PMIX_RANK} (any PMIx launcher, srun --mpi=pmix included), {@code PMI_RANK}/{@code PMI_SIZE}
 * (PMI-1/2: srun --mpi=pmi2, MPICH's hydra), {@code SLURM_PROCID} with {@code SLURM_STEP_NUM_TASKS}
 * (a task of an srun job step; a batch script alone has no step tasks). MPI's own word
 * ({@code MPI_Comm_size} once initialised) is the final one.
 *
 * @param launcher who started the process, for messages
 * @param rank     this process's rank, or −1 when the launcher does not say
 * @param size     the number of processes, or −1 when the launcher does not say
 */
public record Launch(String launcher, int rank, int size) {

    /** The launch the environment describes; empty for a process started by hand. */
    public static Optional<Launch> detect(Map<String, String> env) {
        if (env.containsKey("OMPI_COMM_WORLD_SIZE")) {
            return Optional.of(new Launch("mpirun (Open MPI)", number(env, "OMPI_COMM_WORLD_RANK"), number(env, "OMPI_COMM_WORLD_SIZE")));
        }
        int slurmTasks = number(env, "SLURM_STEP_NUM_TASKS");
        if (env.containsKey("PMIX_RANK")) {
            return Optional.of(new Launch(env.containsKey("SLURM_PROCID") ? "srun (PMIx)" : "a PMIx launcher", number(env, "PMIX_RANK"), slurmTasks));
        }
        if (env.containsKey("PMI_RANK")) {
            return Optional.of(new Launch(env.containsKey("SLURM_PROCID") ? "srun (PMI)" : "a PMI launcher", number(env, "PMI_RANK"), number(env, "PMI_SIZE")));
        }
        if (env.containsKey("SLURM_PROCID") && slurmTasks > 0) {
            return Optional.of(new Launch("srun", number(env, "SLURM_PROCID"), slurmTasks));
        }
        return Optional.empty();
    }

    /** The rank the environment gives, 0 when it gives none (a process started by hand is rank 0). */
    public static int rankOrZero(Map<String, String> env) {
        return detect(env).map(l -> Math.max(0, l.rank())).orElse(0);
    }

    /** "mpirun (Open MPI), 2 processes" or "srun (PMIx)". */
    public String describe() {
        return size > 0 ? launcher + ", " + size + (size == 1 ? " process" : " processes") : launcher;
    }

    private static int number(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null) return -1;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
