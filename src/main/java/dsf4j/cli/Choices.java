package dsf4j.cli;

import dsf4j.config.Method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** {@code ptb-gru-3l256=0.64,wt103-gru-3l512=12.1}: preset → seconds, in order. */
    static Map<String, Double> presetSeconds(String s) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String part : s.split(",")) {
            String[] kv = part.trim().split("=");
            try {
                double v = Double.parseDouble(kv.length == 2 ? kv[1] : "");
                if (v > 0) {
                    out.put(kv[0], v);
                    continue;
                }
            } catch (NumberFormatException e) {
                // the one-line error below
            }
            throw new IllegalArgumentException("--model-scaling '" + part + "': give PRESET=SECONDS (one machine's step time), e.g. ptb-gru-3l256=0.64");
        }
        return out;
    }
}
