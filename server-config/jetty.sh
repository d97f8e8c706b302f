#!/usr/bin/env bash
# Runs the Tollgate WAR on the stock Jetty 12 distribution (jetty-home) with server-config/jetty-base as
# its Jetty base. The same command runs in the container image (Dockerfile) and in DistributionIT.
#
#   server-config/jetty.sh [PROPERTIES_FILE] [JETTY_ARGS...]
#
# PROPERTIES_FILE  the gateway's external properties file (default: the base's start.d/tollgate.ini,
#                  /etc/tollgate/gateway.properties); JETTY_ARGS are passed to start.jar (jetty.http.port=8081).
#
# Environment (all optional):
#   JETTY_HOME                   jetty-home (default: target/jetty-home-* from `mvn package`)
#   TOLLGATE_WAR                 the WAR (default: target/tollgate.war if present, else the base's default)
#   TOLLGATE_ERRORS_JAR          the server-level classes: problem+json error handler, connectors (required;
#                                default: target/tollgate-jetty-errors.jar)
#   JAVA_HOME / JAVA_OPTS        the JVM and its options
#   TOLLGATE_KEYSTORE            a PKCS#12 keystore: enables ssl, https and http2 (ALPN) on TOLLGATE_HTTPS_PORT
#   TOLLGATE_KEYSTORE_PASSWORD   its password (handed to Jetty in a file only this user can read, never as an
#                                argument)
#   TOLLGATE_HTTPS_PORT          default 8443
#   TOLLGATE_JMX_PORT            enables remote JMX (RMI registry and server on this one port)
#   TOLLGATE_JMX_HOST            the address it binds to and names in its stubs (default 127.0.0.1)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project_dir="$(dirname "$script_dir")"
jetty_base="$script_dir/jetty-base"

if [ -z "${JETTY_HOME:-}" ]; then
    for candidate in "$project_dir"/target/jetty-home-*/; do
        [ -f "$candidate/start.jar" ] && JETTY_HOME="${candidate%/}"
    done
fi
if [ -z "${JETTY_HOME:-}" ] || [ ! -f "$JETTY_HOME/start.jar" ]; then
    echo "jetty.sh: no jetty-home; run 'mvn package' (it unpacks target/jetty-home-*) or set JETTY_HOME" >&2
    exit 2
fi
java="java"
[ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"

args=("jetty.home=$JETTY_HOME" "jetty.base=$jetty_base")

# Java 21+ runs blocking work (the filters' Redis calls) on virtual threads; Java 17 on the pool.
java_major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
if [ "${java_major%%.*}" -ge 21 ]; then
    args+=("--module=threadpool-virtual")
else
    args+=("--module=threadpool")
fi

if [ -n "${TOLLGATE_KEYSTORE:-}" ]; then
    args+=("--module=ssl,https,http2,tollgate-https"
        "jetty.ssl.port=${TOLLGATE_HTTPS_PORT:-8443}"
        "jetty.sslContext.keyStorePath=$(realpath -s "$TOLLGATE_KEYSTORE")"
        "jetty.sslContext.keyStoreType=PKCS12")
    # The password never goes on the command line, which every local user can read (ps, /proc/PID/cmdline):
    # start.jar reads it from a commands file that only this user can read, in a private directory that is
    # removed when Jetty exits. It is also taken out of the environment that Jetty inherits.
    password="${TOLLGATE_KEYSTORE_PASSWORD:-}"
    unset TOLLGATE_KEYSTORE_PASSWORD
    if [[ "$password" == *$'\n'* ]]; then
        echo "jetty.sh: TOLLGATE_KEYSTORE_PASSWORD must be one line" >&2
        exit 2
    fi
    secret_dir="$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/tollgate-jetty.XXXXXXXX")"
    (umask 077 && printf 'jetty.sslContext.keyStorePassword=%s\n' "$password" > "$secret_dir/ssl.commands")
    unset password
    args+=("--commands=$secret_dir/ssl.commands")
    # $$ is Jetty's process id after the exec below
    (tail --pid=$$ -f /dev/null; rm -rf "$secret_dir") </dev/null >/dev/null 2>&1 &
fi

if [ -n "${TOLLGATE_JMX_PORT:-}" ]; then
    jmx_host="${TOLLGATE_JMX_HOST:-127.0.0.1}"
    args+=("--module=jmx-remote"
        "jetty.jmxremote.rmiregistryhost=$jmx_host" "jetty.jmxremote.rmiregistryport=$TOLLGATE_JMX_PORT"
        "jetty.jmxremote.rmiserverhost=$jmx_host" "jetty.jmxremote.rmiserverport=$TOLLGATE_JMX_PORT"
        "-Djava.rmi.server.hostname=$jmx_host")
fi

# The server-level classes: Jetty's own answers to requests it refuses before the WAR (bad framing, ambiguous
# URIs) as problem+json, and the connectors of modules tollgate-http and tollgate-https
errors_jar="${TOLLGATE_ERRORS_JAR:-$project_dir/target/tollgate-jetty-errors.jar}"
if [ ! -f "$errors_jar" ]; then
    echo "jetty.sh: no $errors_jar (run 'mvn package' or set TOLLGATE_ERRORS_JAR)" >&2
    exit 2
fi
args+=("--lib=$(realpath -s "$errors_jar")" "$jetty_base/etc/tollgate-errors.xml")

war="${TOLLGATE_WAR:-}"
[ -z "$war" ] && [ -f "$project_dir/target/tollgate.war" ] && war="$project_dir/target/tollgate.war"
[ -n "$war" ] && args+=("-Dtollgate.war=$(realpath -s "$war")")

if [ $# -gt 0 ] && [[ "$1" != *=* ]] && [[ "$1" != -* ]]; then
    args+=("-Dgateway.config=$(realpath -s "$1")")
    shift
fi

# exec: the JVM gets this process id, so SIGTERM reaches Jetty's graceful stop directly.
# shellcheck disable=SC2086
exec "$java" ${JAVA_OPTS:-} -jar "$JETTY_HOME/start.jar" "${args[@]}" "$@"
