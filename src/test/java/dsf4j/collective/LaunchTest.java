package dsf4j.collective;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the launchers' environment variables say about a process. */
class LaunchTest {

    @Test
    void openMpisMpirun() {
        assertEquals(Optional.of(new Launch("mpirun (Open MPI)", 1, 4)),
                Launch.detect(Map.of("OMPI_COMM_WORLD_RANK", "1", "OMPI_COMM_WORLD_SIZE", "4", "PMIX_RANK", "1")));
    }

    @Test
    void slurmsSrunWithAndWithoutPmix() {
        assertEquals(Optional.of(new Launch("srun (PMIx)", 3, 8)),
                Launch.detect(Map.of("PMIX_RANK", "3", "SLURM_PROCID", "3", "SLURM_STEP_NUM_TASKS", "8")));
        assertEquals(Optional.of(new Launch("srun", 2, 8)), Launch.detect(Map.of("SLURM_PROCID", "2", "SLURM_STEP_NUM_TASKS", "8")));
        assertEquals(Optional.of(new Launch("srun (PMI)", 0, 2)), Launch.detect(Map.of("PMI_RANK", "0", "PMI_SIZE", "2", "SLURM_PROCID", "0")));
    }

    @Test
    void aProcessStartedByHandOrABatchScriptIsNoLaunch() {
        assertEquals(Optional.empty(), Launch.detect(Map.of("PATH", "/usr/bin")));
        assertEquals(Optional.empty(), Launch.detect(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "4")), "sbatch's script itself");
        assertEquals(0, Launch.rankOrZero(Map.of()));
        assertEquals(5, Launch.rankOrZero(Map.of("OMPI_COMM_WORLD_RANK", "5", "OMPI_COMM_WORLD_SIZE", "6")));
    }
}
