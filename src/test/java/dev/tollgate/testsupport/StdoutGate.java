package dev.tollgate.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Standard output for tests of what a WAR in the same JVM writes there: each write that contains a marker (one
 * access-log line, which its appender writes in one call) is kept, and while the gate is closed it blocks (a
 * stuck collector) until opened; every other write goes on to the original stream. {@link #install} replaces
 * {@code System.out}, {@link #close()} puts the original back. Thread-safe.
 */
public final class StdoutGate extends OutputStream {
    private final PrintStream original;
    private final String marker;
    private final List<String> lines = new ArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile int blocked;

    private StdoutGate(PrintStream original, String marker) {
        this.original = original;
        this.marker = marker;
    }

    /** Replaces {@code System.out} with a gate keeping the writes that contain {@code marker}. */
    public static StdoutGate install(String marker) {
        StdoutGate gate = new StdoutGate(System.out, marker);
        System.setOut(new PrintStream(gate, true, StandardCharsets.UTF_8));
        return gate;
    }

    @Override
    public void write(int b) {
        original.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        String text = new String(b, off, len, StandardCharsets.UTF_8);
        if (!text.contains(marker)) {
            original.write(b, off, len);
            return;
        }
        blocked++;
        try {
            gate.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            blocked--;
        }
        synchronized (lines) {
            lines.add(text);
        }
    }

    @Override
    public void flush() {
        original.flush();
    }

    /** From now on, marked writes wait until {@link #open()}. */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    public void open() {
        gate.countDown();
    }

    /** Marked writes waiting at the gate now. */
    public int blocked() {
        return blocked;
    }

    /** The marked writes so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Opens the gate and puts the original {@code System.out} back. */
    @Override
    public void close() {
        open();
        System.setOut(original);
    }
}
