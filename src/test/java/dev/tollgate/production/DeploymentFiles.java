package dev.tollgate.production;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the deployment files of the project (the Jetty base's start.d, the Dockerfile, the POM) so that tests
 * can check that they agree with each other and with what JettyDistributionIT runs.
 */
final class DeploymentFiles {
    static final Path PROJECT = Path.of("").toAbsolutePath();
    /** The start script that JettyDistributionIT runs and the image's ENTRYPOINT copies. */
    static final String JETTY_SCRIPT = "server-config/jetty.sh";
    /** The health check that JettyDistributionIT runs and the image and the readiness probe use. */
    static final String HEALTH_SCRIPT = "server-config/healthcheck.sh";

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeploymentFiles() {
    }

    /** One Dockerfile instruction: the keyword and the rest of its (joined) line. */
    record Instruction(String keyword, String args) {
        /** The arguments of the JSON (exec) form, e.g. {@code ["a", "b"]}. */
        List<String> json() {
            try {
                return Arrays.asList(JSON.readValue(args, String[].class));
            } catch (IOException e) {
                throw new AssertionError(keyword + " is not in JSON form: " + args, e);
            }
        }

        /** The whitespace-separated words, options included. */
        List<String> words() {
            return Arrays.asList(args.trim().split("\\s+"));
        }
    }

    static String read(String path) {
        try {
            return Files.readString(PROJECT.resolve(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    static List<Instruction> dockerfile() {
        List<Instruction> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String raw : read("Dockerfile").split("\n")) {
            String trimmed = raw.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && line.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                line.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            line.append(trimmed);
            String full = line.toString().strip();
            line.setLength(0);
            if (!full.isEmpty()) {
                int space = full.indexOf(' ');
                out.add(new Instruction(full.substring(0, space).toUpperCase(), full.substring(space + 1).strip()));
            }
        }
        return out;
    }

    /** The system properties ({@code -Dk=v}) set in the Jetty base's start.d. */
    static Map<String, String> startdSystemProperties() {
        Map<String, String> out = new LinkedHashMap<>();
        startdLines().filter(l -> l.startsWith("-D")).forEach(l -> put(out, l.substring(2)));
        return out;
    }

    /** The Jetty properties ({@code k=v}) set in the Jetty base's start.d. */
    static Map<String, String> startdProperties() {
        Map<String, String> out = new LinkedHashMap<>();
        startdLines().filter(l -> !l.startsWith("-") && l.contains("=")).forEach(l -> put(out, l));
        return out;
    }

    private static void put(Map<String, String> out, String assignment) {
        int eq = assignment.indexOf('=');
        out.put(assignment.substring(0, eq).strip(), assignment.substring(eq + 1).strip());
    }

    private static Stream<String> startdLines() {
        try (Stream<Path> files = Files.list(PROJECT.resolve("server-config/jetty-base/start.d"))) {
            List<String> lines = new ArrayList<>();
            for (Path f : files.filter(f -> f.toString().endsWith(".ini")).sorted().toList()) {
                Files.readAllLines(f).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(lines::add);
            }
            return lines.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A property of the POM's {@code <properties>}, or the text of a top-level build element. */
    static String pom(String element) {
        Matcher m = Pattern.compile("<" + Pattern.quote(element) + ">([^<]*)</").matcher(read("pom.xml"));
        if (!m.find()) {
            throw new AssertionError("no <" + element + "> in pom.xml");
        }
        return m.group(1).strip();
    }
}
