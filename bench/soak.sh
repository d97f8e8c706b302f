#!/usr/bin/env bash
# Fault soak: two Tollgate JVMs sharing one redis-server (RS256 JWT with the redis token cache, a Redis
# sliding-window limit per principal) in front of two upstream instances, under a Java load client
# (SoakClientMain: many users, a unique X-Request-Id per request, checked in the echo), while the script
# kills and restarts Redis, kills one upstream instance and brings it back, and stops (SIGSTOP) and resumes the
# other; the client also sends aborted and half-sent requests. The client prints, per phase, requests sent,
# answered, lost, crossed, the causes of the 5xx, the limit's admissions against the expected N, and p99.
# Everything on 127.0.0.1. See bench/README.md.
# Usage: bash bench/soak.sh   (QUICK=1 for about a minute)
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
. "$ROOT/bench/lib.sh"

if [[ ${QUICK:-0} == 1 ]]; then WARMUP=${WARMUP:-5} PHASE_SECS=${PHASE_SECS:-8}; fi
WARMUP=${WARMUP:-15}                 # seconds of load before the first fault (also counted, as phase "warmup")
PHASE_SECS=${PHASE_SECS:-24}         # seconds per phase (seven phases after the warm-up)
NORMAL_USERS=${NORMAL_USERS:-100}    # users well below the limit
NORMAL_RATE=${NORMAL_RATE:-1}        # requests a second per normal user
HOT_USERS=${HOT_USERS:-5}            # users above the limit
HOT_RATE=${HOT_RATE:-25}             # requests a second per hot user
RAW_RATE=${RAW_RATE:-2}              # aborted requests a second, and as many half-sent ones
LIMIT=${LIMIT:-10}                   # the per-user rule: LIMIT requests per WINDOW_MS
WINDOW_MS=${WINDOW_MS:-1000}
RESPONSE_TIMEOUT_MS=${RESPONSE_TIMEOUT_MS:-3000} # the route's response timeout (the hung upstream's requests)
CLIENT_TIMEOUT_MS=${CLIENT_TIMEOUT_MS:-15000}    # a request without an answer by then is lost
JVM_OPTS=${JVM_OPTS:--Xms256m -Xmx256m -XX:+UseParallelGC}
if [[ -n ${JAVA_HOME:-} ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

bench_init soak
need_uint WARMUP PHASE_SECS NORMAL_USERS HOT_USERS LIMIT WINDOW_MS RESPONSE_TIMEOUT_MS CLIENT_TIMEOUT_MS
((PHASE_SECS >= 5 && LIMIT >= 2)) || die "PHASE_SECS must be at least 5 and LIMIT at least 2"
((CLIENT_TIMEOUT_MS > 2 * RESPONSE_TIMEOUT_MS + 5000)) ||
    die "CLIENT_TIMEOUT_MS must exceed two response timeouts (a retry) and the 5 s pool timeout"
soak_exit() { # a stopped upstream must not outlive the run: resume it, then the usual clean-up (with the status)
    local rc=$?
    set +e
    [[ -n ${UPA_PID:-} ]] && kill -CONT "$UPA_PID" 2>/dev/null
    (exit "$rc")
    bench_cleanup
}
trap soak_exit EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
forget_started() { # pid: drop it from STARTED once it has ended
    local keep=() p
    for p in "${STARTED[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    STARTED=("${keep[@]}")
}

command -v curl >/dev/null 2>&1 || die "curl not found"
command -v "$JAVA" >/dev/null 2>&1 || die "$JAVA not found"
build_war
pick_port UPA_PORT 18281; pick_port UPB_PORT 18282; pick_port GW1_PORT 18283; pick_port GW2_PORT 18284
pick_port REDIS_PORT 18285
log "ports: upstreams $UPA_PORT $UPB_PORT, gateways $GW1_PORT $GW2_PORT, redis $REDIS_PORT"

start_redis "$RUN/redis-1" "$REDIS_PORT"
start_upstream_jvm() { # name port VAR
    local logf
    logf="$RUN/upstream-$1-$(date +%H%M%S).log"
    start_jvm "$3" "$logf" "$JAVA" dev.tollgate.bench.SoakUpstreamMain "$2" "$1"
    wait_ready "${!3}" "$logf" 60 || die "upstream $1 did not start (see $logf)"
}
start_upstream_jvm a "$UPA_PORT" UPA_PID
start_upstream_jvm b "$UPB_PORT" UPB_PID
"$JAVA" -cp "$CP" dev.tollgate.bench.SoakClientMain tokens "$RUN/users" "$NORMAL_USERS" "$HOT_USERS" 2

cat >"$RUN/tollgate-soak.properties" <<EOF
# Written by bench/soak.sh: both gateways get this file.
gateway.services.soak.instances = http://127.0.0.1:$UPA_PORT, http://127.0.0.1:$UPB_PORT
gateway.redis.uri = redis://127.0.0.1:$REDIS_PORT
gateway.auth.cache = redis
gateway.rate-limit.policy = redis
gateway.rate-limit.rules.per-user.limit = $LIMIT
gateway.rate-limit.rules.per-user.window = ${WINDOW_MS}ms
gateway.rate-limit.rules.per-user.key = principal
gateway.routes.soak.path = /soak/**
gateway.routes.soak.service = soak
gateway.routes.soak.auth = jwt
gateway.routes.soak.rate-limit = per-user
gateway.routes.soak.response-timeout = ${RESPONSE_TIMEOUT_MS}ms
EOF
cat "$RUN/users/keys.properties" >>"$RUN/tollgate-soak.properties"
log "java: $("$JAVA" -version 2>&1 | head -1); flags: $JVM_OPTS"
start_jvm GW1_PID "$RUN/tollgate-1.log" "$JAVA" dev.tollgate.bench.TollgateMain "$GW1_PORT" "$WAR" \
    "$RUN/tollgate-soak.properties" platform
start_jvm GW2_PID "$RUN/tollgate-2.log" "$JAVA" dev.tollgate.bench.TollgateMain "$GW2_PORT" "$WAR" \
    "$RUN/tollgate-soak.properties" platform
for g in 1 2; do
    pid=GW${g}_PID
    wait_ready "${!pid}" "$RUN/tollgate-$g.log" 120 || { tail -30 "$RUN/tollgate-$g.log" >&2; die "gateway $g did not start"; }
    log "$(grep '^READY' "$RUN/tollgate-$g.log")"
done
TOKEN=$(awk '$1 == "normal" { print $3; exit }' "$RUN/users/tokens.txt")
for port in "$GW1_PORT" "$GW2_PORT"; do
    answer=$(curl -s -m 5 -H "Authorization: Bearer $TOKEN" -H 'X-Request-Id: soak-smoke' \
        "http://127.0.0.1:$port/soak/normal-0/smoke" || true)
    [[ $answer == "soak-smoke "* ]] || die "gateway on $port does not echo through the upstream: '$answer'"
done

PHASE_FILE="$RUN/phase"
phase() { echo "$1" >"$PHASE_FILE.tmp" && mv "$PHASE_FILE.tmp" "$PHASE_FILE"; PHASE_START=$SECONDS; log "phase $1"; }
hold() { while ((SECONDS < PHASE_START + $1)); do sleep 0.2; done; }
phase warmup
start_jvm CLIENT_PID "$RUN/client.log" "$JAVA" dev.tollgate.bench.SoakClientMain run \
    "gateways=http://127.0.0.1:$GW1_PORT,http://127.0.0.1:$GW2_PORT" "tokens=$RUN/users/tokens.txt" \
    "phase-file=$PHASE_FILE" "report=$RUN/phases.md" "timeout=$CLIENT_TIMEOUT_MS" "normal-rate=$NORMAL_RATE" \
    "hot-rate=$HOT_RATE" "raw-rate=$RAW_RATE" "limit=$LIMIT" "window=$WINDOW_MS" \
    "max-seconds=$((WARMUP + 8 * PHASE_SECS + 120))"
hold "$WARMUP"
phase baseline; hold "$PHASE_SECS"
phase redis-down; kill -KILL "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true; forget_started "$REDIS_PID"
hold "$PHASE_SECS"
phase redis-back; start_redis "$RUN/redis-2" "$REDIS_PORT"; hold "$PHASE_SECS"
phase upstream-down; kill -KILL "$UPB_PID"; wait "$UPB_PID" 2>/dev/null || true; forget_started "$UPB_PID"
hold "$PHASE_SECS"
phase upstream-back; start_upstream_jvm b "$UPB_PORT" UPB_PID; hold "$PHASE_SECS"
phase upstream-hang; kill -STOP "$UPA_PID"; hold "$PHASE_SECS"
phase upstream-resumed; kill -CONT "$UPA_PID"; hold "$PHASE_SECS"
phase end
log "waiting for the client's last answers (at most $((CLIENT_TIMEOUT_MS * 2 / 1000 + 5)) s)"
wait "$CLIENT_PID" || log "the client exited with status $?"
forget_started "$CLIENT_PID"
[[ -s $RUN/phases.md ]] || { tail -30 "$RUN/client.log" >&2; die "the client wrote no report"; }

errors=$(cat "$RUN"/tollgate-*.log | grep -c ' ERROR ' || true)
{
    echo "## Fault soak, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- gateways: 2 × $WAR on $("$JAVA" -version 2>&1 | head -1), flags \`$JVM_OPTS\`; one redis-server" \
        "($("$REDIS_BIN" --version | awk '{print $3}')); 2 upstream JVMs (SoakUpstreamMain)"
    echo "- load: $NORMAL_USERS users at $NORMAL_RATE req/s and $HOT_USERS at $HOT_RATE req/s (limit $LIMIT per" \
        "${WINDOW_MS} ms per user, sliding window in Redis, failure policy local-fallback), each alternating" \
        "between the gateways, GET and one POST in ten; $RAW_RATE aborted and $RAW_RATE half-sent requests/s;" \
        "client timeout $CLIENT_TIMEOUT_MS ms, route response-timeout $RESPONSE_TIMEOUT_MS ms"
    echo "- phases: warmup ${WARMUP}s, then ${PHASE_SECS}s each: baseline, redis-down (SIGKILL), redis-back" \
        "(restarted, empty), upstream-down (SIGKILL of b), upstream-back (b restarted), upstream-hang (SIGSTOP" \
        "of a), upstream-resumed (SIGCONT)"
    echo "- gateway ERROR log lines: $errors"
    echo
    cat "$RUN/phases.md"
} >"$RUN/results.md"
cp "$RUN/results.md" "$OUT/soak-results.md"
echo
cat "$RUN/results.md"
if ((errors > 0)); then
    log "the gateways logged $errors ERROR line(s); first ones:"
    grep -h ' ERROR ' "$RUN"/tollgate-*.log | head -5 >&2
fi
