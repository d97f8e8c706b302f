# Tollgate on the stock Jetty 12 distribution: the same WAR, Jetty base and start script that
# JettyDistributionIT runs (docs/deployment.md). DockerfileTest checks that the files copied here exist and
# that the command is the tested one; the tests do not build the image, so they need no Docker engine.
#
#   docker build -t tollgate .
#   docker run -p 8080:8080 -v "$PWD/server-config/demo.properties:/etc/tollgate/gateway.properties:ro" tollgate

# --- 1: the Maven build: target/tollgate.war, target/tollgate-jetty-errors.jar and target/jetty-home-<version>
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /build
# The dependency layer: the POM alone, packaged once without sources, fetches every dependency and plugin that
# "package" uses (jetty-home included) into a local repository inside the layer. Docker rebuilds it only when
# pom.xml changes; a change to the sources reuses it and builds offline (-o).
COPY pom.xml ./
RUN mvn -B -q -Dmaven.repo.local=/build/.m2 -DskipTests package && rm -rf target
COPY src ./src
RUN mvn -B -q -o -Dmaven.repo.local=/build/.m2 -DskipTests package

# --- 2: a slim JRE with jetty-home, the WAR and server-config/, run as a non-root user
FROM eclipse-temurin:21-jre
ARG JETTY_VERSION=12.1.12
RUN groupadd --system --gid 10001 tollgate \
 && useradd --system --uid 10001 --gid tollgate --home-dir /opt/tollgate --no-create-home tollgate
COPY --from=build /build/target/jetty-home-${JETTY_VERSION}/ /opt/jetty-home/
COPY --from=build /build/target/tollgate.war /opt/tollgate/tollgate.war
COPY --from=build /build/target/tollgate-jetty-errors.jar /opt/tollgate/tollgate-jetty-errors.jar
COPY server-config/jetty.sh server-config/healthcheck.sh /opt/tollgate/server-config/
COPY server-config/jetty-base/ /opt/tollgate/server-config/jetty-base/
# The access log goes to standard output with the server's log, for the container runtime's log collector
ENV JETTY_HOME=/opt/jetty-home \
    TOLLGATE_WAR=/opt/tollgate/tollgate.war \
    TOLLGATE_ERRORS_JAR=/opt/tollgate/tollgate-jetty-errors.jar \
    GATEWAY_ACCESS_LOG_PATH=stdout
WORKDIR /opt/tollgate
USER 10001:10001
# http (HTTP/1.1 and h2c); https (h2 and HTTP/1.1) when TOLLGATE_KEYSTORE names a mounted keystore
EXPOSE 8080 8443
# Liveness: with GATEWAY_ADMIN_TOKEN set (the admin endpoints on, gateway.admin.port = any) the gateway's own
# /_tollgate/health/live; without it a request that only a running gateway answers (healthcheck.sh)
HEALTHCHECK --interval=10s --timeout=6s --start-period=30s --retries=3 \
    CMD ["/opt/tollgate/server-config/healthcheck.sh", "8080", "live"]
# The properties file is mounted here (a ConfigMap in Kubernetes); start.d/tollgate.ini names the same path.
ENTRYPOINT ["/opt/tollgate/server-config/jetty.sh"]
CMD ["/etc/tollgate/gateway.properties"]
