#!/usr/bin/env bash
# Exits 0 when the gateway on this host is healthy. Used by the container's HEALTHCHECK and the Kubernetes
# probes; needs only bash (no curl in the JRE image).
#
#   server-config/healthcheck.sh [PORT] [ready|live]      (default 8080, the Jetty base's jetty.http.port; ready)
#
# With GATEWAY_ADMIN_TOKEN set (the admin endpoints enabled with that token, answering on this port:
# gateway.admin.port = any; docs/observability.md, "Admin endpoints"), it asks the gateway's own health endpoint,
# ${GATEWAY_ADMIN_PATH:-/_tollgate}/health/ready (Redis, discovery snapshots, not draining) or /health/live,
# and needs 200.
#
# Without a token it sends an OPTIONS request with a body but no Content-Type, which the gateway's request
# hygiene always answers itself with 400 (RFC 9110 section 9.3.7), before any route is chosen: no upstream is
# called, and the answer carries X-Request-Id only when it comes from the gateway (not from Jetty alone). A
# draining gateway answers 503, a stopped one refuses the connection.
set -u
port="${1:-8080}"
kind="${2:-ready}"
case "$kind" in ready|live) ;; *) echo "usage: $0 [PORT] [ready|live]" >&2; exit 2 ;; esac
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
if [ -n "${GATEWAY_ADMIN_TOKEN:-}" ]; then
    printf 'GET %s/health/%s HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' \
        "${GATEWAY_ADMIN_PATH:-/_tollgate}" "$kind" "$GATEWAY_ADMIN_TOKEN" >&3
    IFS= read -r -t 5 status <&3 || exit 1
    case "$status" in
        "HTTP/1.1 200"*) exit 0 ;;
        *) exit 1 ;;
    esac
fi
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
