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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tables of docs/configuration.md state exactly the defaults of defaults.properties: the global settings
 * table its keys, the named sections' table and the identity providers' table its templates.
 */
class ConfigurationDocTest {
    private static final String DEFAULT = " \\| (`([^`]*)`|\\(empty\\)) \\|";
    private static final Pattern ROW = Pattern.compile("^\\| `(gateway\\.[a-z.-]+)`" + DEFAULT, Pattern.MULTILINE);
    private static final Pattern TEMPLATE_ROW = Pattern.compile("^\\| `(gateway\\.[a-z.-]+)<name>([a-z.-]+)`"
            + DEFAULT, Pattern.MULTILINE);
    private static final Pattern PROVIDER_ROW = Pattern.compile("^\\| `([a-z.-]+)`" + DEFAULT, Pattern.MULTILINE);
    private static final String PROVIDERS = "gateway.auth.providers.*.";

    private static Map<String, String> defaults;
    private static Map<String, String> templates;
    private static String doc;

    @BeforeAll
    static void read() throws Exception {
        Properties p = new Properties();
        try (InputStream in = ConfigLoader.class.getResourceAsStream(ConfigLoader.DEFAULTS)) {
            p.load(in);
        }
        defaults = new TreeMap<>();
        templates = new TreeMap<>();
        p.forEach((k, v) -> (Defaults.isTemplate(k.toString()) ? templates : defaults)
                .put(k.toString(), v.toString().trim()));
        doc = Files.readString(Path.of("docs/configuration.md"));
    }

    @Test
    void globalSettingsTableMatchesTheDefaults() {
        Map<String, String> documented = new TreeMap<>();
        Matcher m = ROW.matcher(doc);
        while (m.find()) {
            documented.put(m.group(1), m.group(3) == null ? "" : m.group(3));
        }
        assertThat(documented).isEqualTo(defaults);
    }

    @Test
    void namedSectionTablesMatchTheTemplates() {
        Map<String, String> documented = new TreeMap<>();
        Matcher m = TEMPLATE_ROW.matcher(doc);
        while (m.find()) {
            documented.put(m.group(1) + "*" + m.group(2), m.group(4) == null ? "" : m.group(4));
        }
        String providers = doc.substring(doc.indexOf("## Identity providers"), doc.indexOf("## Reloading"));
        m = PROVIDER_ROW.matcher(providers);
        while (m.find()) {
            String key = PROVIDERS + m.group(1);
            String value = m.group(3) == null ? "" : m.group(3);
            if (!value.isEmpty() || templates.containsKey(key)) {
                documented.put(key, value); // a key documented as (empty) without a template has no default
            }
        }
        assertThat(documented).isEqualTo(templates);
    }
}
