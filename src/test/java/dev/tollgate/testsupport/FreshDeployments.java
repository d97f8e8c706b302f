package dev.tollgate.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.jboss.arquillian.container.jetty.embedded_12_ee10.WebAppContextProcessor;
import org.jboss.arquillian.core.spi.LoadableExtension;
import org.jboss.shrinkwrap.api.Archive;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;

/**
 * Arquillian extension: every deployment is served at the root context from its own WAR file and Jetty temp
 * directory. (The container's own way to get the root context, exporting every archive as {@code ROOT.war}
 * to one path, makes Jetty's deployment manager keep serving an earlier test's deployment.)
 */
public final class FreshDeployments implements LoadableExtension {
    @Override
    public void register(ExtensionBuilder builder) {
        builder.service(WebAppContextProcessor.class, UniqueFiles.class);
    }

    /** Re-exports the archive to a unique file, with a unique temp directory, at the root context. */
    public static final class UniqueFiles implements WebAppContextProcessor {
        @Override
        public void process(WebAppContext context, Archive<?> archive) {
            try {
                File dir = Files.createTempDirectory("tollgate-it").toFile();
                File war = new File(dir, archive.getName());
                archive.as(ZipExporter.class).exportTo(war, true);
                File temp = new File(dir, "work");
                if (!temp.mkdir()) {
                    throw new IOException("cannot create " + temp);
                }
                context.setWar(war.getAbsolutePath());
                context.setContextPath("/");
                context.setTempDirectory(temp);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
