package dsf4j;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Imports only run downward: cli → bench → train → engine, collective, data → io → grad, model → config, each
 * layer using only those below it; and an engine (reference, fast, cuda) does not reach into another.
 * Read off every main source file's imports and qualified names (comments aside).
 */
class ArchitectureTest {

    /** The layer of each top-level package of dsf4j: a package may use lower layers and its own. */
    static final Map<String, Integer> LAYER = Map.of("config", 0, "model", 1, "grad", 1, "io", 2, "data", 3,
            "engine", 3, "collective", 3, "train", 4, "bench", 5, "cli", 6);   // data above io: a download is written with AtomicFiles

    static final Pattern PACKAGE = Pattern.compile("^package dsf4j\\.([a-z.]+);", Pattern.MULTILINE);
    static final Pattern USE = Pattern.compile("\\bdsf4j\\.([a-z]+(?:\\.[a-z]+)*)\\.[A-Z]");

    @Test
    void everyImportRunsDownward() throws IOException {
        Path root = Path.of("src/main/java/dsf4j");
        List<String> upward = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                files++;
                String text = Files.readString(p);
                Matcher pm = PACKAGE.matcher(text);
                assertTrue(pm.find(), p + " has no dsf4j package");
                String from = pm.group(1);
                for (String line : text.lines().toList()) {
                    String code = line.strip();
                    if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//") || code.startsWith("package ")) continue;
                    Matcher m = USE.matcher(code);
                    while (m.find()) {
                        String to = m.group(1);
                        if (!allowed(from, to)) upward.add(root.relativize(p) + ": dsf4j." + from + " uses dsf4j." + to);
                    }
                }
            }
        }
        assertTrue(files > 100, "found the sources (" + files + " files)");
        assertEquals(List.of(), upward, "imports that run upward or sideways");
    }

    static boolean allowed(String from, String to) {
        String a = top(from), b = top(to);
        if (a.equals(b)) {   // within a layer: an engine's own package may use engine, not another engine
            return !a.equals("engine") || from.equals("engine") || to.equals("engine") || from.equals(to);
        }
        Integer la = LAYER.get(a), lb = LAYER.get(b);
        assertTrue(la != null && lb != null, "package dsf4j." + a + " or dsf4j." + b + " has no layer in ArchitectureTest.LAYER");
        return lb < la;
    }

    private static String top(String pkg) {
        int dot = pkg.indexOf('.');
        return dot < 0 ? pkg : pkg.substring(0, dot);
    }
}
