package dsf4j.cli;

import dsf4j.config.BlockType;
import dsf4j.config.CellType;
import dsf4j.config.Method;

import java.util.ArrayList;
import java.util.List;

/** Parses the enumerated flag values with an error that lists the valid ones. */
final class Choices {

    private Choices() {}

    static CellType cell(String s) {
        for (CellType c : CellType.values()) if (c.id().equalsIgnoreCase(s)) return c;
        throw new IllegalArgumentException("unknown cell '" + s + "': use rnn, gru or lstm");
    }

    static BlockType block(String s) {
        for (BlockType b : BlockType.values()) if (b.id().equalsIgnoreCase(s)) return b;
        throw new IllegalArgumentException("unknown block '" + s + "': use residual or transformer");
    }

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
