package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.Bytes;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.UpstreamServer;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bodies of any size stream through in both directions. The integration-test JVM (client, gateway and upstream
 * together) runs with a 256 MiB heap and exits on OutOfMemoryError, so a 1 GiB body that were buffered would
 * fail the build; SHA-256 sums prove every byte arrived.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StreamingIT {
    private static final long GIB = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static UpstreamServer upstream;

    @ArquillianResource
    private URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("bulk");
        return GatewayDeployment.war(String.join("\n",
                "gateway.services.bulk.instances = " + upstream.uri(),
                "gateway.routes.bulk.path = /**",
                "gateway.routes.bulk.service = bulk",
                "gateway.routes.bulk.max-body-size = 2GB"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
    }

    private URI uri(String path) {
        return URI.create("http://" + base.getHost() + ":" + base.getPort() + path);
    }

    @Test
    void theHeapIsFarSmallerThanTheBodies() {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(256L << 20);
    }

    @Test
    void oneGibUploadWithContentLengthStreamsThrough() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(uri("/upload"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> Bytes.stream(GIB)), GIB)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode echo = JSON.readTree(r.body());
        assertThat(echo.get("bodyLength").asLong()).isEqualTo(GIB);
        assertThat(echo.get("bodySha256").asText()).isEqualTo(Bytes.sha256(GIB));
        assertThat(upstream.last().header("Content-Length")).isEqualTo(Long.toString(GIB));
    }

    @Test
    void oneGibDownloadStreamsThrough() throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri("/download?size=" + GIB)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(GIB);
        try (InputStream in = r.body()) {
            assertThat(Bytes.sha256(in)).isEqualTo(Bytes.sha256(GIB));
        }
    }

    @Test
    void chunkedBodiesStreamBothWays() throws Exception {
        long size = 64L << 20;
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(uri("/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> Bytes.stream(size))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(up.body()).get("bodySha256").asText()).isEqualTo(Bytes.sha256(size));
        assertThat(upstream.last().header("Transfer-Encoding")).isEqualTo("chunked");

        HttpResponse<InputStream> down = http.send(HttpRequest.newBuilder(uri("/download?chunked=1&size=" + size))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(down.headers().firstValue("Content-Length")).isEmpty();
        try (InputStream in = down.body()) {
            assertThat(Bytes.sha256(in)).isEqualTo(Bytes.sha256(size));
        }
    }

    @Test
    void expectContinueIsHonoured() throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            c.send("POST /upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.readFor(2000)).startsWith("HTTP/1.1 100");
            String r = c.send("hello").readFor(3000);
            assertThat(RawHttp.status(r)).isEqualTo(200);
            assertThat(r).contains("\"bodyLength\":5");
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/upload")).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("continued")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(r.body()).get("bodyLength").asInt()).isEqualTo(9);
    }
}
