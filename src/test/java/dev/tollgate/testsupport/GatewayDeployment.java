package dev.tollgate.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The real WAR built by Maven ({@code target/tollgate.war}), deployed at the root context with a test
 * configuration placed at {@code /WEB-INF/gateway.properties} and named by the web.xml context-param, exactly
 * as a user may ship a WAR with its configuration inside.
 */
public final class GatewayDeployment {
    private static final String EMPTY_PARAM = "<param-value></param-value>";

    private GatewayDeployment() {
    }

    public static WebArchive war(String properties) {
        File file = new File(System.getProperty("tollgate.war", "target/tollgate.war"));
        WebArchive built = ShrinkWrap.createFromZipFile(WebArchive.class, file);
        WebArchive war = ShrinkWrap.create(WebArchive.class, "ROOT.war").merge(built);
        String webXml = read(war.get("WEB-INF/web.xml").getAsset().openStream());
        if (!webXml.contains(EMPTY_PARAM)) {
            throw new IllegalStateException("web.xml no longer has an empty gateway.config context-param");
        }
        war.delete("WEB-INF/web.xml");
        war.setWebXML(new StringAsset(webXml.replace(EMPTY_PARAM,
                "<param-value>/WEB-INF/gateway.properties</param-value>")));
        war.addAsWebInfResource(new StringAsset(withTestAccessLog(properties)), "gateway.properties");
        return war;
    }

    /**
     * The properties with the access log in {@code target/tollgate-access.json} unless they name a path: an
     * embedded server is no container with a log directory, and the default there (standard output) would fill
     * the test output.
     */
    public static String withTestAccessLog(String properties) {
        if (properties.contains("gateway.access-log.path")) {
            return properties;
        }
        return properties + "\ngateway.access-log.path = "
                + Path.of("target", "tollgate-access.json").toAbsolutePath() + "\n";
    }

    /**
     * Configuration lines for a static service {@code name} with these instances (comma-separated URIs) and a route
     * {@code /<name>/**} to it that strips {@code /<name>}.
     */
    public static String serviceWithRoute(String name, String instances) {
        return String.join("\n",
                "gateway.services." + name + ".instances = " + instances,
                "gateway.routes." + name + ".path = /" + name + "/**",
                "gateway.routes." + name + ".service = " + name,
                "gateway.routes." + name + ".strip-prefix = /" + name);
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
