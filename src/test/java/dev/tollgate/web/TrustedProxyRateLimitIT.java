package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Behind a trusted proxy (here: loopback) the client address from X-Forwarded-For is the rate-limit key: each
 * client behind the load balancer has its own bucket, not one bucket for the load balancer's address.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TrustedProxyRateLimitIT {
    private static UpstreamServer upstream;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("behind-lb");
        return GatewayDeployment.war(String.join("\n",
                "gateway.forwarding.trusted-proxies = 127.0.0.0/8",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.rate-limit.rules.per-client.limit = 1",
                "gateway.rate-limit.rules.per-client.window = 1h",
                "gateway.routes.all.path = /**",
                "gateway.routes.all.service = up",
                "gateway.routes.all.rate-limit = per-client"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
    }

    private int get(String forwardedFor) throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            return RawHttp.status(c.send("GET /x HTTP/1.1\r\nHost: api.example\r\nX-Forwarded-For: " + forwardedFor
                    + "\r\nConnection: close\r\n\r\n").readAll());
        }
    }

    @Test
    void eachClientBehindTheTrustedProxyHasItsOwnBucket() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        statuses.add(get("203.0.113.7"));
        statuses.add(get("203.0.113.8"));
        statuses.add(get("203.0.113.7"));
        statuses.add(get("198.51.100.1, 203.0.113.8"));
        assertThat(statuses).containsExactly(200, 200, 429, 429);
    }
}
