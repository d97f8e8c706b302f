package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Behind a trusted proxy (here: loopback) forwarding headers are appended to, not replaced. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TrustedProxyIT {
    private static UpstreamServer upstream;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("behind-lb");
        return GatewayDeployment.war(String.join("\n",
                "gateway.forwarding.trusted-proxies = 127.0.0.0/8, 10.0.0.0/8",
                "gateway.forwarding.via = edge-gw",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.routes.all.path = /**",
                "gateway.routes.all.service = up"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
    }

    @Test
    void trustedPeerHeadersAreAppendedTo() throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            String r = c.send("GET /x HTTP/1.1\r\nHost: api.example\r\nX-Forwarded-For: 203.0.113.7, 10.1.2.3\r\n"
                    + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: api.example\r\nX-Forwarded-Port: 443\r\n"
                    + "Forwarded: for=203.0.113.7;proto=https\r\nConnection: close\r\n\r\n").readAll();
            assertThat(RawHttp.status(r)).as(r).isEqualTo(200);
        }
        UpstreamServer.Seen s = upstream.last();
        assertThat(s.header("X-Forwarded-For")).isEqualTo("203.0.113.7, 10.1.2.3, 127.0.0.1");
        assertThat(s.header("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(s.header("X-Forwarded-Port")).isEqualTo("443");
        assertThat(s.header("Forwarded")).isEqualTo("for=203.0.113.7;proto=https, for=127.0.0.1;proto=http;host=api.example");
        assertThat(s.header("Via")).isEqualTo("1.1 edge-gw");
    }
}
