package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The global settings table of docs/configuration.md states exactly the keys and defaults of defaults.properties. */
class ConfigurationDocTest {
    private static final Pattern ROW = Pattern.compile("^\\| `(gateway\\.[a-z.-]+)` \\| (`([^`]*)`|\\(empty\\)) \\|",
            Pattern.MULTILINE);

    @Test
    void globalSettingsTableMatchesTheDefaults() throws Exception {
        Properties defaults = new Properties();
        try (InputStream in = ConfigLoader.class.getResourceAsStream(ConfigLoader.DEFAULTS)) {
            defaults.load(in);
        }
        Map<String, String> expected = new TreeMap<>();
        defaults.forEach((k, v) -> expected.put(k.toString(), v.toString().trim()));

        Map<String, String> documented = new TreeMap<>();
        Matcher m = ROW.matcher(Files.readString(Path.of("docs/configuration.md")));
        while (m.find()) {
            documented.put(m.group(1), m.group(3) == null ? "" : m.group(3));
        }
        assertThat(documented).isEqualTo(expected);
    }
}
