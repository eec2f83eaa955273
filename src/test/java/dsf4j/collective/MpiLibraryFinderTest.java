package dsf4j.collective;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where libmpi.so.40 is looked for, on fake file-system roots. */
class MpiLibraryFinderTest {

    @TempDir
    Path root;

    private Path lib(String dir) throws IOException {
        Path d = Files.createDirectories(root.resolve(dir));
        return Files.writeString(d.resolve(MpiLibraryFinder.LIBRARY), "");
    }

    @Test
    void findsDebiansAndRhelsPlacesWithDebianFirst() throws IOException {
        Path rhel = lib("usr/lib64/openmpi/lib");
        assertEquals(Optional.of(rhel), new MpiLibraryFinder(root, Map.of()).find());
        Path debian = lib("usr/lib/x86_64-linux-gnu");
        assertEquals(Optional.of(debian), new MpiLibraryFinder(root, Map.of()).find());
    }

    @Test
    void theEnvironmentComesBeforeTheDefaultPlaces() throws IOException {
        lib("usr/lib/x86_64-linux-gnu");
        Path module = lib("modules/openmpi-4.1/lib");
        assertEquals(Optional.of(module), new MpiLibraryFinder(root, Map.of("LD_LIBRARY_PATH", "/nowhere:" + module.getParent())).find());
        Path prefix = lib("opt/ompi5/lib");
        assertEquals(Optional.of(prefix), new MpiLibraryFinder(root, Map.of("OPAL_PREFIX", root.resolve("opt/ompi5").toString())).find());
        Path mine = lib("mine");
        assertEquals(Optional.of(mine), new MpiLibraryFinder(root, Map.of("DSF4J_MPI_LIB", mine.toString(), "LD_LIBRARY_PATH", module.getParent().toString())).find(),
                "DSF4J_MPI_LIB names the file");
        assertEquals(Optional.of(mine), new MpiLibraryFinder(root, Map.of("DSF4J_MPI_LIB", mine.getParent().toString())).find(), "or its folder");
    }

    @Test
    void findsTheLibraryBesideMpirunOnThePath() throws IOException {
        Path bin = Files.createDirectories(root.resolve("opt/site/openmpi/bin"));
        Files.writeString(bin.resolve("mpirun"), "");
        Path found = lib("opt/site/openmpi/lib");
        assertEquals(Optional.of(found), new MpiLibraryFinder(root, Map.of("PATH", root.resolve("nothing-here") + ":" + bin)).find());
    }

    @Test
    void theNewestOptOpenmpiWinsAndNothingIsEmpty() throws IOException {
        assertTrue(new MpiLibraryFinder(root, Map.of()).find().isEmpty());
        lib("opt/openmpi-4.1.6/lib");
        Path newest = lib("opt/openmpi-5.0.3/lib");
        assertEquals(Optional.of(newest), new MpiLibraryFinder(root, Map.of()).find());
    }

    @Test
    void aDsf4jMpiLibThatIsNotThereIsOneClearLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MpiLibraryFinder(root, Map.of("DSF4J_MPI_LIB", root.resolve("missing.so").toString())).find());
        assertTrue(e.getMessage().startsWith("DSF4J_MPI_LIB=" + root.resolve("missing.so") + " is neither Open MPI's library file nor a folder holding libmpi.so.40"),
                e.getMessage());
    }
}
