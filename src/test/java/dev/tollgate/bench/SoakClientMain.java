package dev.tollgate.bench;

import dev.tollgate.testsupport.Jwts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load client of the fault soak ({@code bench/soak.sh}), and the maker of its users' tokens.
 *
 * <p>{@code SoakClientMain tokens <dir> <normal> <hot> <raw>} writes {@code <dir>/keys.properties} (an RS256
 * public key as gateway properties) and {@code <dir>/tokens.txt} ({@code <class> <user> <token>} per line, each
 * token signed with the key's private half, subject = user, valid for a day).
 *
 * <p>{@code SoakClientMain run key=value...} sends, open loop, {@code normal-rate} requests a second for each
 * normal user and {@code hot-rate} for each hot user (above the limit on purpose), every request with a unique
 * {@code X-Request-Id}, each user alternating between the gateways; one normal request in ten is a POST with a
 * body. Beside them, {@code raw-rate} aborted and as many half-sent requests a second ({@link SoakRawRequests}).
 * An answer is crossed when its {@code X-Request-Id}, or the upstream's echo ({@code X-Echo-Id}, the body's
 * first word), names another request. The current phase is the content of {@code phase-file}, read every
 * 20 ms; each request counts in the phase it was sent in. At phase {@code end} it stops sending, waits for the
 * requests in flight (each ends by its {@code timeout}) and writes the report ({@link SoakReport}) to
 * {@code report} and standard output. Settings: {@code gateways} (comma-separated base URLs), {@code tokens},
 * {@code phase-file}, {@code report}, {@code timeout} (ms), {@code normal-rate}, {@code hot-rate},
 * {@code raw-rate}, {@code limit}, {@code window} (ms), {@code max-seconds}.
 */
public final class SoakClientMain {
    private static final Pattern TITLE = Pattern.compile("\"title\"\\s*:\\s*\"([^\"]*)\"");

    private record User(String kind, String name, String token, AtomicLong sent) {
    }

    private final List<URI> gateways = new ArrayList<>();
    private final Map<String, String> settings;
    private final HttpClient http;
    private final Duration timeout;
    private final AtomicLong ids = new AtomicLong();
    private final String runTag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<SoakPhase> phases = new ArrayList<>();
    private final List<String> hotUsers = new ArrayList<>();
    private volatile SoakPhase current;

    private SoakClientMain(Map<String, String> settings) {
        this.settings = settings;
        for (String g : setting("gateways").split(",")) {
            gateways.add(URI.create(g.trim()));
        }
        this.timeout = Duration.ofMillis(Long.parseLong(setting("timeout")));
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(4)).build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 5 && args[0].equals("tokens")) {
            tokens(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        if (args.length < 1 || !args[0].equals("run")) {
            System.err.println("usage: SoakClientMain tokens <dir> <normal> <hot> <raw> | run key=value...");
            System.exit(2);
        }
        Map<String, String> settings = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        new SoakClientMain(settings).run();
        System.exit(0);
    }

    private String setting(String key) {
        String v = settings.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing setting " + key);
        }
        return v;
    }

    private static void tokens(Path dir, int normal, int hot, int raw) throws IOException {
        Files.createDirectories(dir);
        KeyPair rsa = Jwts.rsa();
        Instant now = Instant.now();
        StringBuilder lines = new StringBuilder();
        String[] kinds = {"normal", "hot", "raw"};
        int[] counts = {normal, hot, raw};
        for (int k = 0; k < kinds.length; k++) {
            for (int i = 0; i < counts[k]; i++) {
                String user = kinds[k] + "-" + i;
                String token = Jwts.claims("soak", now, user).withExpiresAt(now.plus(Duration.ofDays(1)))
                        .sign(Jwts.rs256(rsa));
                lines.append(kinds[k]).append(' ').append(user).append(' ').append(token).append('\n');
            }
        }
        Files.writeString(dir.resolve("tokens.txt"), lines, StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("keys.properties"), "gateway.auth.jwt.keys.soak.algorithm = RS256\n"
                + "gateway.auth.jwt.keys.soak.public-key = " + Jwts.pem(rsa.getPublic()).replace("\n", "") + "\n",
                StandardCharsets.US_ASCII);
    }

    private void run() throws Exception {
        List<User> users = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(setting("tokens")))) {
            String[] f = line.trim().split(" ");
            if (f.length == 3) {
                users.add(new User(f[0], f[1], f[2], new AtomicLong()));
                if (f[0].equals("hot")) {
                    hotUsers.add(f[1]);
                }
            }
        }
        Path phaseFile = Path.of(setting("phase-file"));
        String first = awaitPhase(phaseFile, null, Long.parseLong(setting("max-seconds")));
        startPhase(first);
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        ExecutorService rawThreads = Executors.newCachedThreadPool(); // at most raw-rate x timeout at once
        double normalRate = Double.parseDouble(setting("normal-rate"));
        double hotRate = Double.parseDouble(setting("hot-rate"));
        double rawRate = Double.parseDouble(setting("raw-rate"));
        List<User> rawUsers = new ArrayList<>();
        for (User u : users) {
            double rate = switch (u.kind()) {
                case "normal" -> normalRate;
                case "hot" -> hotRate;
                default -> 0;
            };
            if (u.kind().equals("raw")) {
                rawUsers.add(u);
            } else if (rate > 0) {
                long period = (long) (1e6 / rate);
                ticks.scheduleAtFixedRate(() -> guarded(() -> send(u)), ThreadLocalRandom.current().nextLong(period),
                        period, TimeUnit.MICROSECONDS);
            }
        }
        if (rawRate > 0 && !rawUsers.isEmpty()) {
            AtomicLong n = new AtomicLong();
            long period = (long) (1e6 / rawRate);
            ticks.scheduleAtFixedRate(() -> guarded(() -> raw(rawUsers, rawThreads, n.getAndIncrement())),
                    period / 2, period, TimeUnit.MICROSECONDS);
        }
        String phase = first;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(setting("max-seconds")));
        while (!phase.equals("end") && System.nanoTime() < deadline) {
            phase = awaitPhase(phaseFile, phase, (deadline - System.nanoTime()) / 1_000_000_000L + 1);
            if (phase.equals("end") || System.nanoTime() >= deadline) {
                break;
            }
            startPhase(phase);
        }
        ticks.shutdownNow();
        current.endNanos = System.nanoTime();
        rawThreads.shutdown();
        long drain = System.nanoTime() + timeout.toNanos() * 2 + TimeUnit.SECONDS.toNanos(5);
        while ((inFlight.get() > 0 || !rawThreads.isTerminated()) && System.nanoTime() < drain) {
            if (rawThreads.awaitTermination(50, TimeUnit.MILLISECONDS)) {
                Thread.sleep(20); // the async requests end on the client's threads; nothing to wait on
            }
        }
        String report = SoakReport.render(phases, settings, inFlight.get());
        Files.writeString(Path.of(setting("report")), report, StandardCharsets.UTF_8);
        System.out.print(report);
    }

    private synchronized void startPhase(String name) {
        long now = System.nanoTime();
        if (current != null) {
            current.endNanos = now;
        }
        SoakPhase p = new SoakPhase(name, now, hotUsers);
        phases.add(p);
        current = p;
        System.out.println("phase " + name);
    }

    /** Polls the phase file until it names a phase other than {@code was}; "end" after {@code seconds}. */
    private static String awaitPhase(Path file, String was, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                String now = Files.readString(file).trim();
                if (!now.isEmpty() && !now.equals(was)) {
                    return now;
                }
            }
            Thread.sleep(20); // polling a file the script writes; no event to wait on
        }
        return "end";
    }

    /** A periodic task that throws is never run again: count the failure and keep sending. */
    private void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            SoakPhase.add(current.noAnswer, "client could not send: " + e.getClass().getSimpleName());
            current.sample("client could not send: " + e);
        }
    }

    private String newId() {
        return "soak-" + runTag + "-" + ids.incrementAndGet();
    }

    private void send(User user) {
        SoakPhase phase = current;
        long n = user.sent().getAndIncrement();
        URI gateway = gateways.get((int) (n % gateways.size()));
        String id = newId();
        boolean post = user.kind().equals("normal") && n % 10 == 9;
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.resolve("/soak/" + user.name() + "/" + id))
                .timeout(timeout).header("Authorization", "Bearer " + user.token()).header("X-Request-Id", id);
        if (post) {
            b.POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1024]));
        } else {
            b.GET();
        }
        phase.sent.increment();
        inFlight.incrementAndGet();
        long start = System.nanoTime();
        http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .whenComplete((res, err) -> {
                    try {
                        if (err != null) {
                            failed(phase, id, err);
                        } else {
                            answered(phase, user, id, res, System.nanoTime() - start);
                        }
                    } finally {
                        inFlight.decrementAndGet();
                    }
                });
    }

    private void failed(SoakPhase phase, String id, Throwable err) {
        Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (e instanceof HttpTimeoutException) {
            phase.timedOut.increment();
            phase.sample("lost (timeout): " + id);
        } else {
            SoakPhase.add(phase.noAnswer, e.getClass().getSimpleName());
            phase.sample("no answer: " + id + ": " + e);
        }
    }

    private void answered(SoakPhase phase, User user, String id, HttpResponse<String> res, long nanos) {
        phase.answered.increment();
        phase.latency(nanos);
        int status = res.statusCode();
        phase.statuses.computeIfAbsent(status, k -> new LongAdder()).increment();
        String gatewayId = res.headers().firstValue("X-Request-Id").orElse("");
        boolean crossed = !gatewayId.equals(id);
        if (status == 200) {
            String echo = res.headers().firstValue("X-Echo-Id").orElse("");
            String body = res.body();
            crossed |= !echo.equals(id) || !body.startsWith(id + " ");
        }
        if (crossed) {
            phase.crossed.increment();
            phase.sample("crossed: sent " + id + ", answer " + status + " X-Request-Id " + gatewayId + " X-Echo-Id "
                    + res.headers().firstValue("X-Echo-Id").orElse("-"));
        }
        if (status != 200 && status != 429) {
            Matcher m = TITLE.matcher(res.body());
            SoakPhase.add(phase.causes, status + " " + (m.find() ? m.group(1) : "(no problem title)"));
        }
        if (user.kind().equals("hot")) {
            if (status == 429) {
                SoakPhase.add(phase.hotRejected, user.name());
            } else if (status != 401 && status != 403) {
                SoakPhase.add(phase.hotAdmitted, user.name()); // passed the limiter, whatever came after
            }
        } else if (status == 429) {
            phase.normal429.increment();
        }
    }

    private void raw(List<User> rawUsers, ExecutorService threads, long n) {
        SoakPhase phase = current;
        User user = rawUsers.get((int) (n % rawUsers.size()));
        URI gateway = gateways.get((int) ((n / 2) % gateways.size()));
        SoakRawRequests raw = new SoakRawRequests(user.token(), (int) timeout.toMillis());
        threads.execute(() -> raw.aborted(phase, gateway, user.name(), newId(), n % 4 < 2));
        threads.execute(() -> raw.halfSent(phase, gateway, user.name(), newId()));
    }
}
