package dsf4j.cli;

import dsf4j.train.StopRequest;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * SIGINT (Ctrl-C) and SIGTERM while training: the first one asks the trainer to stop after the
 * current step ({@link StopRequest}), so that it writes a checkpoint and the command exits 0 with
 * the line that resumes the run; a second one exits at once (status 130 or 143), the last
 * checkpoint intact, as checkpoints are written atomically.
 *
 * <p>{@code sun.misc.Signal} replaces the JVM's handler, whose default is to run the shutdown hooks
 * and exit while the main thread is still mid-step; a shutdown hook could not wait for the step and
 * the save. A signal the JVM was started with ignored ({@code nohup}, a background job) stays ignored.
 */
final class StopSignals implements AutoCloseable {

    private record Installed(Signal signal, SignalHandler previous) {}

    private final List<Installed> installed = new ArrayList<>();

    /** Routes SIGINT and SIGTERM to {@code request} until {@link #close}. */
    StopSignals(StopRequest request) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal signal = new Signal(name);
            SignalHandler handler = s -> {
                if (request.requested()) {
                    System.err.println("dsf4j: second SIG" + name + ": stopping now; the last checkpoint written is intact");
                    Runtime.getRuntime().halt(128 + s.getNumber());
                }
                request.request("SIG" + name);
                System.err.println("dsf4j: SIG" + name + ": finishing the current step and writing a checkpoint (send it again to stop at once)");
            };
            try {
                SignalHandler previous = Signal.handle(signal, handler);
                if (previous == SignalHandler.SIG_IGN) {
                    Signal.handle(signal, SignalHandler.SIG_IGN);   // ignored by whoever started us: keep it so
                } else {
                    installed.add(new Installed(signal, previous));
                }
            } catch (IllegalArgumentException unavailable) {
                // this platform or JVM (-Xrs) does not let us handle it: the default behaviour stays
            }
        }
    }

    /** Gives the signals back to the handlers they had before. */
    @Override
    public void close() {
        for (Installed i : installed) Signal.handle(i.signal, i.previous);
        installed.clear();
    }
}
