package dev.tollgate.production;

import static dev.tollgate.production.DeploymentFiles.HEALTH_SCRIPT;
import static dev.tollgate.production.DeploymentFiles.JETTY_SCRIPT;
import static dev.tollgate.production.DeploymentFiles.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.production.DeploymentFiles.Instruction;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image is checked here instead of built, so the tests need no Docker engine: what it
 * copies exists, and what it runs is what JettyDistributionIT runs (the same script, base, WAR and paths).
 */
class DockerfileTest {
    private final List<Instruction> file = DeploymentFiles.dockerfile();
    private final Map<String, String> sysProps = DeploymentFiles.startdSystemProperties();

    private List<Instruction> all(String keyword) {
        return file.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    private String one(String keyword) {
        List<Instruction> found = all(keyword);
        assertThat(found).as(keyword).hasSize(1);
        return found.get(0).args();
    }

    /** The final stage's instructions (after the last FROM). */
    private List<Instruction> runtimeStage() {
        int last = 0;
        for (int i = 0; i < file.size(); i++) {
            if (file.get(i).keyword().equals("FROM")) {
                last = i;
            }
        }
        return file.subList(last, file.size());
    }

    /** Where the image puts a file of the project, by the COPY instructions from the build context. */
    private String imagePath(String projectPath) {
        for (Instruction copy : all("COPY")) {
            List<String> words = copy.words().stream().filter(w -> !w.startsWith("--")).toList();
            if (copy.args().startsWith("--from")) {
                continue;
            }
            String dest = words.get(words.size() - 1);
            for (String source : words.subList(0, words.size() - 1)) {
                String src = source.endsWith("/") ? source : source + (Files.isDirectory(PROJECT.resolve(source)) ? "/" : "");
                if (src.equals(projectPath)) {
                    return dest.endsWith("/") ? dest + projectPath.substring(projectPath.lastIndexOf('/') + 1) : dest;
                }
                if (src.endsWith("/") && projectPath.startsWith(src)) {
                    return dest + projectPath.substring(src.length());
                }
            }
        }
        throw new AssertionError(projectPath + " is not copied into the image");
    }

    private String env(String name) {
        Matcher m = Pattern.compile("(?:^|\\s)" + name + "=(\\S+)").matcher(one("ENV"));
        assertThat(m.find()).as("ENV " + name).isTrue();
        return m.group(1);
    }

    @Test
    void buildsWithMavenThenRunsOnASlimJreAsNonRoot() {
        List<Instruction> froms = all("FROM");
        assertThat(froms).hasSize(2);
        assertThat(froms.get(0).args()).contains("maven").endsWith("AS build");
        assertThat(froms.get(1).args()).contains("-jre");
        assertThat(all("RUN").get(1).args()).startsWith("mvn ").contains("-DskipTests").endsWith(" package");
        String user = one("USER");
        assertThat(user).doesNotStartWith("0").doesNotStartWith("root");
        assertThat(all("RUN").get(2).args()).contains("--uid " + user.split(":")[0]);
        assertThat(runtimeStage()).extracting(Instruction::keyword).contains("HEALTHCHECK", "USER", "ENTRYPOINT");
    }

    /** The POM alone first (the dependency layer), then the sources, built offline from that layer. */
    @Test
    void cachesTheDependencyLayerBeforeCopyingTheSources() {
        List<String> build = file.subList(0, file.indexOf(all("FROM").get(1))).stream()
                .filter(i -> i.keyword().equals("COPY") || i.keyword().equals("RUN"))
                .map(i -> i.keyword() + " " + i.args()).toList();
        assertThat(build).hasSize(4);
        assertThat(build.get(0)).isEqualTo("COPY pom.xml ./");
        assertThat(build.get(1)).startsWith("RUN mvn ").contains(" package").doesNotContain(" -o ");
        assertThat(build.get(2)).isEqualTo("COPY src ./src");
        assertThat(build.get(3)).startsWith("RUN mvn ").contains(" -o ").endsWith(" package");
        String repo = "-Dmaven.repo.local=/build/.m2";
        assertThat(build.get(1)).as("both builds use the layer's repository").contains(repo);
        assertThat(build.get(3)).contains(repo);
    }

    @Test
    void sendsTheAccessLogToStandardOutput() {
        assertThat(env("GATEWAY_ACCESS_LOG_PATH")).isEqualTo("stdout");
    }

    @Test
    void copiesFilesThatExistAndTheBuildsOwnOutputs() {
        List<String> fromContext = new ArrayList<>();
        for (Instruction copy : all("COPY")) {
            List<String> words = copy.words().stream().filter(w -> !w.startsWith("--")).toList();
            List<String> sources = words.subList(0, words.size() - 1);
            if (copy.args().startsWith("--from=build")) {
                for (String source : sources) {
                    assertThat(source).startsWith("/build/target/");
                }
            } else {
                fromContext.addAll(sources);
            }
        }
        assertThat(fromContext).allSatisfy(s -> assertThat(PROJECT.resolve(s)).exists())
                .allSatisfy(s -> assertThat(s).as(".dockerignore excludes target/").doesNotStartWith("target"));
        assertThat(one("ARG")).as("the jetty-home that the POM unpacks")
                .isEqualTo("JETTY_VERSION=" + DeploymentFiles.pom("jetty.home.version"));
        String fromBuild = String.join("\n", all("COPY").stream().map(Instruction::args).toList());
        assertThat(fromBuild)
                .contains("--from=build /build/target/jetty-home-${JETTY_VERSION}/ " + env("JETTY_HOME") + "/")
                .contains("--from=build /build/target/" + DeploymentFiles.pom("finalName") + ".war " + env("TOLLGATE_WAR"))
                .as("the server-level problem+json error handler that jetty.sh installs")
                .contains("--from=build /build/target/" + DeploymentFiles.pom("finalName") + "-jetty-errors.jar "
                        + env("TOLLGATE_ERRORS_JAR"));
    }

    @Test
    void runsTheTestedStartScriptWithTheBasesPaths() {
        assertThat(imagePath(JETTY_SCRIPT)).isEqualTo("/opt/tollgate/server-config/jetty.sh");
        assertThat(all("ENTRYPOINT").get(0).json()).containsExactly(imagePath(JETTY_SCRIPT));
        // jetty.sh finds its base beside itself, as in the project
        assertThat(imagePath("server-config/jetty-base/start.d/tollgate.ini"))
                .isEqualTo(imagePath(JETTY_SCRIPT).replace("jetty.sh", "jetty-base/start.d/tollgate.ini"));
        assertThat(all("CMD").get(0).json()).as("the properties file: the path start.d names")
                .containsExactly(sysProps.get("gateway.config"));
        assertThat(env("TOLLGATE_WAR")).as("the WAR: the path start.d names").isEqualTo(sysProps.get("tollgate.war"));
    }

    @Test
    void checksHealthWithTheTestedScriptOnTheBasesHttpPort() {
        String port = DeploymentFiles.startdProperties().get("jetty.http.port");
        String healthcheck = one("HEALTHCHECK");
        assertThat(healthcheck).as("the liveness check").contains("CMD [\"" + imagePath(HEALTH_SCRIPT) + "\", \"" + port
                + "\", \"live\"]");
        assertThat(one("EXPOSE")).contains(port);
    }
}
