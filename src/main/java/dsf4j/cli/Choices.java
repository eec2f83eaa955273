package dsf4j.cli;

import dsf4j.config.Method;

import java.util.ArrayList;
import java.util.List;

/** Parses list-valued flags. */
final class Choices {

    private Choices() {}

    /** A comma-separated list such as {@code bptt,ftbptt,dsf}. */
    static List<Method> methods(String s) {
        List<Method> out = new ArrayList<>();
        for (String part : s.split(",")) {
            Method m = Method.parse(part.trim());
            if (!out.contains(m)) out.add(m);
        }
        return out;
    }
}
