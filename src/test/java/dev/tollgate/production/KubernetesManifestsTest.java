package dev.tollgate.production;

import static dev.tollgate.production.DeploymentFiles.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The manifests under {@code deploy/kubernetes/} against the gateway: the probes run what the gateway and
 * Jetty really serve (the health check JettyDistributionIT runs, the base's http port), the mounted file is the
 * one the gateway reads and is a valid configuration, the Secret's variables override real settings, and the
 * grace period covers the whole drain.
 */
@SuppressWarnings("unchecked")
class KubernetesManifestsTest {
    private static final Path DIR = PROJECT.resolve("deploy/kubernetes");

    private final Map<String, Map<String, Object>> byKind = load();

    private static Map<String, Map<String, Object>> load() {
        Map<String, Map<String, Object>> out = new HashMap<>();
        Map<String, Object> kustomization = yaml(DIR.resolve("kustomization.yaml"));
        for (Object resource : (List<Object>) kustomization.get("resources")) {
            Map<String, Object> doc = yaml(DIR.resolve(resource.toString()));
            assertThat(out.put((String) doc.get("kind"), doc)).as("one " + doc.get("kind")).isNull();
        }
        return out;
    }

    private static Map<String, Object> yaml(Path file) {
        try (Reader r = Files.newBufferedReader(file)) {
            return new Yaml().load(r);
        } catch (IOException e) {
            throw new AssertionError(file.toString(), e);
        }
    }

    private static Object at(Map<String, Object> doc, String path) {
        Object node = doc;
        for (String part : path.split("\\.")) {
            node = node instanceof List<?> list ? list.get(Integer.parseInt(part)) : ((Map<String, Object>) node).get(part);
            assertThat(node).as(path).isNotNull();
        }
        return node;
    }

    private Map<String, Object> deployment() {
        return byKind.get("Deployment");
    }

    private Map<String, Object> container() {
        return (Map<String, Object>) at(deployment(), "spec.template.spec.containers.0");
    }

    private Object podLabels() {
        return at(deployment(), "spec.template.metadata.labels");
    }

    @Test
    void hasEveryResourceTheIssueAsksFor() {
        assertThat(byKind).containsOnlyKeys("Deployment", "Service", "PodDisruptionBudget",
                "HorizontalPodAutoscaler", "ConfigMap", "Secret");
        assertThat(at(deployment(), "spec.replicas")).isEqualTo(3);
        assertThat(at(deployment(), "spec.selector.matchLabels")).isEqualTo(podLabels());
        assertThat(at(byKind.get("Service"), "spec.selector")).isEqualTo(podLabels());
        assertThat(at(byKind.get("PodDisruptionBudget"), "spec.selector.matchLabels")).isEqualTo(podLabels());
        assertThat((Integer) at(byKind.get("PodDisruptionBudget"), "spec.minAvailable")).isBetween(1, 2);
        assertThat(at(byKind.get("HorizontalPodAutoscaler"), "spec.scaleTargetRef.name"))
                .isEqualTo(at(deployment(), "metadata.name"));
        assertThat(at(byKind.get("HorizontalPodAutoscaler"), "spec.minReplicas")).isEqualTo(3);
        assertThat((Map<String, Object>) at(container(), "resources.requests")).containsKeys("cpu", "memory");
        assertThat((Map<String, Object>) at(container(), "resources.limits")).containsKey("memory");
    }

    @Test
    void probesRunWhatTheGatewayAndJettyReallyServe() {
        String port = DeploymentFiles.startdProperties().get("jetty.http.port");
        assertThat(at(container(), "ports.0.name")).isEqualTo("http");
        assertThat(at(container(), "ports.0.containerPort").toString()).isEqualTo(port);
        assertThat(at(byKind.get("Service"), "spec.ports.0.targetPort")).isEqualTo("http");
        // the script JettyDistributionIT runs: 0 while the gateway serves, non-zero while it drains
        assertThat((List<Object>) at(container(), "readinessProbe.exec.command"))
                .containsExactly("/opt/tollgate/server-config/healthcheck.sh", port, "ready");
        assertThat((List<Object>) at(container(), "livenessProbe.exec.command"))
                .containsExactly("/opt/tollgate/server-config/healthcheck.sh", port, "live");
        assertThat(DeploymentFiles.read("Dockerfile"))
                .contains("COPY server-config/jetty.sh server-config/healthcheck.sh /opt/tollgate/server-config/");
        assertThat(at(container(), "startupProbe.tcpSocket.port")).isEqualTo("http");
    }

    @Test
    void mountsTheConfigMapWhereTheGatewayReadsItAndItIsValid(@TempDir Path tmp) throws IOException {
        String configPath = DeploymentFiles.startdSystemProperties().get("gateway.config");
        assertThat((List<Object>) at(container(), "args")).containsExactly(configPath);
        Map<String, Object> mount = (Map<String, Object>) at(container(), "volumeMounts.0");
        Map<String, Object> volume = (Map<String, Object>) at(deployment(), "spec.template.spec.volumes.0");
        assertThat(mount.get("name")).isEqualTo(volume.get("name"));
        assertThat(at(volume, "configMap.name")).isEqualTo(at(byKind.get("ConfigMap"), "metadata.name"));
        String key = (String) at(volume, "configMap.items.0.key");
        assertThat(mount.get("mountPath") + "/" + at(volume, "configMap.items.0.path")).isEqualTo(configPath);

        GatewayConfig config = loadWithSecret(tmp, configMapFile(key));
        assertThat(config.routes()).isNotEmpty();
    }

    private String configMapFile(String key) {
        Object file = ((Map<String, Object>) at(byKind.get("ConfigMap"), "data")).get(key);
        assertThat(file).as("ConfigMap key " + key).isNotNull();
        return file.toString();
    }

    /** Loads the ConfigMap's file as the gateway does, with the Secret's variables as its environment. */
    private GatewayConfig loadWithSecret(Path tmp, String properties) throws IOException {
        Path file = Files.writeString(tmp.resolve("gateway.properties"), properties);
        Map<String, String> env = new HashMap<>();
        ((Map<String, Object>) at(byKind.get("Secret"), "stringData")).forEach((k, v) -> env.put(k, v.toString()));
        return ConfigLoader.load(null, path -> null, Map.of(ConfigLoader.CONFIG_KEY, file.toString()), env);
    }

    @Test
    void secretVariablesOverrideSettingsTheGatewayReads(@TempDir Path tmp) throws IOException {
        assertThat(at(container(), "envFrom.0.secretRef.name")).isEqualTo(at(byKind.get("Secret"), "metadata.name"));
        GatewayConfig config = loadWithSecret(tmp, configMapFile("gateway.properties"));
        Map<String, Object> secret = (Map<String, Object>) at(byKind.get("Secret"), "stringData");
        List<String> envNames = new ArrayList<>();
        config.effective().keySet().forEach(k -> envNames.add(k.toUpperCase().replace('.', '_').replace('-', '_')));
        assertThat(secret.keySet()).as("each names a setting (else the gateway ignores it)").isSubsetOf(envNames);
        assertThat(config.effective()).containsEntry("gateway.redis.uri", secret.get("GATEWAY_REDIS_URI").toString());
        // the probes present the admin token the gateway expects, on the port it serves them on
        assertThat(config.operations().admin().enabled()).isTrue();
        assertThat(config.effective()).containsEntry("gateway.admin.port", "any")
                .containsEntry("gateway.admin.token", secret.get("GATEWAY_ADMIN_TOKEN").toString());
        assertThat(config.effective()).containsEntry("gateway.auth.jwt.jwks-uri",
                secret.get("GATEWAY_AUTH_JWT_JWKS_URI").toString());
    }

    @Test
    void gracePeriodCoversPreStopJettysStopTimeoutAndTheGatewaysDrain(@TempDir Path tmp) throws IOException {
        Map<String, Object> spec = (Map<String, Object>) at(deployment(), "spec.template.spec");
        int grace = (Integer) spec.get("terminationGracePeriodSeconds");
        List<Object> preStop = (List<Object>) at(container(), "lifecycle.preStop.exec.command");
        assertThat(preStop.get(0)).isEqualTo("sleep");
        long sleep = Long.parseLong(preStop.get(1).toString());
        long stopTimeout = Long.parseLong(DeploymentFiles.startdProperties().get("jetty.server.stopTimeout")) / 1000;
        GatewayConfig config = loadWithSecret(tmp, configMapFile("gateway.properties"));
        long drain = config.operations().drainTimeout().toSeconds();
        assertThat(grace).isGreaterThan((int) (sleep + stopTimeout + drain));
    }

    @Test
    void runsAsTheImagesNonRootUserWithAWritableTmp() {
        assertThat(at(deployment(), "spec.template.spec.securityContext.runAsNonRoot")).isEqualTo(true);
        String user = DeploymentFiles.dockerfile().stream().filter(i -> i.keyword().equals("USER"))
                .findFirst().orElseThrow().args().split(":")[0];
        assertThat(at(deployment(), "spec.template.spec.securityContext.runAsUser").toString()).isEqualTo(user);
        assertThat(at(container(), "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(container(), "volumeMounts.1.mountPath")).as("Jetty unpacks the WAR in java.io.tmpdir")
                .isEqualTo("/tmp");
    }
}
