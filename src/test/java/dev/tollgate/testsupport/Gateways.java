package dev.tollgate.testsupport;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Small client-side helpers for integration tests: requests to the deployed gateway, JMX reads, polling. */
public final class Gateways {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    private Gateways() {
    }

    public static HttpResponse<String> get(URL base, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + base.getHost() + ":" + base.getPort() + path))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The {@code X-Upstream} name of the instance that answered, or the status when the gateway answered. */
    public static String upstream(URL base, String path) {
        HttpResponse<String> r = get(base, path);
        return r.headers().firstValue("X-Upstream").orElse("status " + r.statusCode());
    }

    public static Object attribute(String objectName, String attribute) {
        try {
            return JMX.getAttribute(new ObjectName(objectName), attribute);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls the condition until it holds or the time is up; returns whether it held. */
    public static boolean within(Duration limit, BooleanSupplier condition) {
        try {
            return Poll.until(limit, condition);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
