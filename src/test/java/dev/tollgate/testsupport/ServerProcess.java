package dev.tollgate.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An application server run as a separate operating-system process (the Jetty distribution, WildFly), its
 * output in a log file under {@code target/} for the failure message. Not thread-safe: one test class owns it.
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ServerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} in {@code dir} with extra environment variables, output to {@code log}. */
    public static ServerProcess start(List<String> command, Path dir, Map<String, String> env, Path log)
            throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new ServerProcess(pb.start(), log);
    }

    public Process process() {
        return process;
    }

    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Polls {@code ready} until it holds; fails with the log if the process exits or the deadline passes. */
    public void awaitReady(BooleanSupplier ready, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited with " + process.exitValue() + ":\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server was not ready within " + timeout + ":\n" + log());
            }
            Thread.sleep(200);
        }
    }

    /** Polls until {@code condition} holds or the deadline passes; returns whether it held. */
    public static boolean poll(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        return Poll.until(timeout, condition);
    }

    /** Whether a TCP connection to 127.0.0.1:port is accepted now. */
    public static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A loopback port that was free a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits for the process to exit after a stop was requested; kills it if it does not. A launch script whose
     * server JVM (a java child running when this is called) has ended, and which still runs two seconds later,
     * is killed and counts as exited, with -1: WildFly's standalone.sh, once its JVM ended by SIGTERM (status
     * 143), loops on {@code wait} for that status and never exits by itself.
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ProcessHandle> jvms = process.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).toList();
        long childrenGone = Long.MAX_VALUE;
        while (!process.waitFor(100, TimeUnit.MILLISECONDS)) {
            long now = System.nanoTime();
            if (!jvms.isEmpty() && jvms.stream().noneMatch(ProcessHandle::isAlive)
                    && process.descendants().noneMatch(ProcessHandle::isAlive)) {
                childrenGone = Math.min(childrenGone, now);
                if (now - childrenGone > TimeUnit.SECONDS.toNanos(2)) {
                    kill();
                    return -1;
                }
            }
            if (now > deadline) {
                kill();
                throw new AssertionError("the server did not stop within " + timeout + ":\n" + log());
            }
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /**
     * Kills the process and everything it started: a launch script (WildFly's standalone.sh, jetty.sh) runs the
     * server's JVM as its child, which would otherwise outlive it and keep its ports.
     */
    private void kill() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(30, TimeUnit.SECONDS);
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // nothing more can be done than a forced kill
            }
        }
    }
}
