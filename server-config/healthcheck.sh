#!/usr/bin/env bash
# Exits 0 when the gateway on this host answers: the WAR is deployed and not draining. Used by the
# container's HEALTHCHECK and the Kubernetes readiness probe; needs only bash (no curl in the JRE image).
#
#   server-config/healthcheck.sh [PORT]      (default 8080, the Jetty base's jetty.http.port)
#
# It sends an OPTIONS request with a body but no Content-Type, which the gateway's request hygiene always
# answers itself with 400 (RFC 9110 section 9.3.7), before any route is chosen: no upstream is called, and
# the answer carries X-Request-Id only when it comes from the gateway (not from Jetty alone). A draining
# gateway answers 503, a stopped one refuses the connection.
set -u
port="${1:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'OPTIONS /healthcheck HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx' >&3
IFS= read -r -t 5 status <&3 || exit 1
case "$status" in
    "HTTP/1.1 5"*|"") exit 1 ;;
esac
while IFS= read -r -t 5 line <&3; do
    line="${line%$'\r'}"
    [ -z "$line" ] && break
    case "${line,,}" in
        x-request-id:*) exit 0 ;;
    esac
done
exit 1
