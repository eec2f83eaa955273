package dsf4j.collective;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --distributed}: one process unless a launcher started it (MPI never loaded otherwise), and one
 * clear line when MPI is needed and not to be had. No test here initialises MPI in the test JVM:
 * {@code MpiTrainingTest} runs real jobs under mpirun.
 */
class DistributedModeTest {

    @TempDir
    Path root;

    /** A finder that fails if asked (DSF4J_MPI_LIB names nothing): proves the library is not even looked for. */
    private MpiLibraryFinder untouchable() {
        return new MpiLibraryFinder(root, Map.of("DSF4J_MPI_LIB", root.resolve("absent").toString()));
    }

    @Test
    void autoWithoutALauncherAndOffAreOneProcessWithoutLookingForMpi() {
        assertSame(SingleProcess.INSTANCE, DistributedMode.AUTO.open(Map.of(), untouchable()));
        assertSame(SingleProcess.INSTANCE, DistributedMode.OFF.open(Map.of("OMPI_COMM_WORLD_SIZE", "2", "OMPI_COMM_WORLD_RANK", "0"), untouchable()));
    }

    @Test
    void aLibraryThatIsNotOpenMpisIsRefusedInOneLine() {
        Path notMpi = Path.of(System.getProperty("java.home"), "lib", "libjava.so");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistributedMode.MPI.open(Map.of(), new MpiLibraryFinder(root, Map.of("DSF4J_MPI_LIB", notMpi.toString()))));
        assertEquals("libmpi.so.40 has no symbol ompi_mpi_comm_world: it is not Open MPI's library (MPICH and its derivatives have another ABI); "
                + "point DSF4J_MPI_LIB at Open MPI's libmpi.so.40", e.getMessage());
    }

    @Test
    void modesParseAndAnUnknownOneIsOneLine() {
        assertEquals(DistributedMode.MPI, DistributedMode.parse(" MPI "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DistributedMode.parse("nccl"));
        assertTrue(e.getMessage().startsWith("unknown --distributed 'nccl': use auto"), e.getMessage());
    }

    @Test
    void theSingleProcessReducesNothing() {
        double[] v = {1.5, -2};
        SingleProcess.INSTANCE.allReduce(v, Collective.Op.SUM);
        assertEquals(1.5, v[0]);
        assertEquals(0, SingleProcess.INSTANCE.rank());
        assertEquals(1, SingleProcess.INSTANCE.size());
    }
}
