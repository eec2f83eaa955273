package dsf4j.engine.fast;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * GFLOP done by a benchmark call, shared by the GEMM-family benchmarks: an OPERATIONS counter is
 * reported as a rate, so the secondary result "gflop" reads as GFLOP/s (bench/cpu_table.py reads it).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class GflopCounter {
    public double gflop;
}
