package dsf4j.engine.cuda;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The optimizer's hyper-parameters travel to the device as one float array: Java writes it by
 * {@link Hyper}'s ordinals, loss.cu reads it by its {@code HYPER_<NAME>} defines. The two lists must
 * be the same names at the same indices, and no kernel may index the array with a bare number.
 */
class HyperTest {

    @Test
    void lossCuNamesEveryHyperParameterAtJavasIndex() {
        String source = KernelSource.read("loss.cu");
        Map<String, Integer> defined = new LinkedHashMap<>();
        Matcher m = Pattern.compile("#define HYPER_(\\w+) (\\d+)").matcher(source);
        while (m.find()) defined.put(m.group(1), Integer.parseInt(m.group(2)));
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (Hyper h : Hyper.values()) expected.put(h.name(), h.ordinal());
        expected.put("COUNT", Hyper.COUNT);
        assertEquals(expected, defined, "loss.cu's HYPER_ defines against dsf4j.engine.cuda.Hyper");
    }

    @Test
    void noKernelIndexesTheHyperParametersByNumber() {
        String program = KernelSource.program();
        assertFalse(Pattern.compile("hyper\\[\\s*\\d").matcher(program).find(), "a kernel reads hyper[<number>]: use the HYPER_ names");
    }
}
