package dev.tollgate.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The MXBean table of docs/observability.md names every MXBean interface in the code, with exactly its attributes and
 * operations.
 */
class MXBeanDocTest {
    private static final Pattern ROW = Pattern.compile(
            "^\\| `(tollgate:type=[^`]+)` \\| `([A-Za-z]+MXBean)` \\| ([^|]*) \\| ([^|]*) \\|", Pattern.MULTILINE);
    private static final Pattern INTERFACE = Pattern.compile("public interface ([A-Za-z]+MXBean)\\b");

    @Test
    void tableMatchesTheMXBeanInterfaces() throws Exception {
        Map<String, String[]> documented = new TreeMap<>();
        Matcher m = ROW.matcher(Files.readString(Path.of("docs/observability.md")));
        while (m.find()) {
            documented.put(m.group(2), new String[] {m.group(3), m.group(4)});
        }
        Map<String, Path> declared = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith("MXBean.java")).toList()) {
                Matcher i = INTERFACE.matcher(read(f));
                if (i.find()) {
                    declared.put(i.group(1), f);
                }
            }
        }
        declared.remove("TrafficMXBean"); // the shared part of Route and Service, not registered itself
        assertThat(documented.keySet()).isEqualTo(declared.keySet());
        for (Map.Entry<String, Path> e : declared.entrySet()) {
            String path = e.getValue().toString();
            String className = path.substring(path.indexOf("src/main/java/") + 14, path.length() - 5).replace('/', '.');
            Class<?> type = Class.forName(className);
            assertThat(names(documented.get(e.getKey())[0])).as(e.getKey() + " attributes").isEqualTo(attributes(type));
            assertThat(names(documented.get(e.getKey())[1])).as(e.getKey() + " operations").isEqualTo(operations(type));
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> names(String cell) {
        return Arrays.stream(cell.split(",(?![^(]*\\))")) // commas between names, not inside (a, b)
                .map(s -> s.trim().replace("`", "").replaceAll("\\(.*\\)$", ""))
                .filter(s -> !s.isEmpty() && !s.equals("none"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> attributes(Class<?> type) {
        Set<String> out = new TreeSet<>();
        for (Method method : type.getMethods()) {
            String n = method.getName();
            if (method.getParameterCount() == 0 && n.startsWith("get") && n.length() > 3) {
                out.add(n.substring(3));
            } else if (method.getParameterCount() == 0 && n.startsWith("is") && n.length() > 2
                    && method.getReturnType() == boolean.class) {
                out.add(n.substring(2));
            }
        }
        return out;
    }

    private static Set<String> operations(Class<?> type) {
        Set<String> attributes = attributes(type);
        Set<String> out = new TreeSet<>();
        for (Method method : type.getMethods()) {
            String n = method.getName();
            boolean getter = method.getParameterCount() == 0 && (n.startsWith("get") && attributes.contains(n.substring(3))
                    || n.startsWith("is") && attributes.contains(n.substring(2)));
            if (!getter) {
                out.add(n);
            }
        }
        return out;
    }
}
