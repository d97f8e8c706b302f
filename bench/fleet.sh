#!/usr/bin/env bash
# Fleet: GATEWAYS Tollgate JVMs on loopback sharing one redis-server, then a 3-master Redis Cluster, in front of
# one nginx upstream, under a Java load client (FleetClientMain) that spreads requests over USERS JWT principals
# and KEYS API keys (stored in Redis), HOT of them taking HOT_SHARE of the traffic. One route per rate-limit
# algorithm (sliding-window, sliding-window-counter, token-bucket; LIMIT per WINDOW_MS per principal), one phase
# per algorithm. Reports per phase: req/s and p99 per instance, gateway CPU per request, Redis commands per
# request (INFO commandstats), Redis CPU (INFO cpu), rate-limit keys and their MEMORY USAGE, and the hot
# identities' admissions against the limit. Everything on 127.0.0.1. See bench/README.md.
# Usage: flock /tmp/tollgate-cpu.lock bash bench/fleet.sh   (QUICK=1: shorter phases)
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
. "$ROOT/bench/lib.sh"

if [[ ${QUICK:-0} == 1 ]]; then WARMUP=${WARMUP:-10} PHASE_SECS=${PHASE_SECS:-10}; fi
GATEWAYS=${GATEWAYS:-3}            # gateway instances
USERS=${USERS:-10000}              # JWT principals
KEYS=${KEYS:-10000}                # API keys (in Redis, gateway.auth.api-key.redis-lookup)
HOT=${HOT:-6}                      # identities above the limit (half users, half keys)
HOT_SHARE=${HOT_SHARE:-0.3}        # the share of the requests they send
LIMIT=${LIMIT:-100}                # each rule: LIMIT per WINDOW_MS per principal
WINDOW_MS=${WINDOW_MS:-10000}
CONCURRENCY=${CONCURRENCY:-48}     # requests in flight, closed loop, over all gateways
WARMUP=${WARMUP:-90}               # seconds over every route before the phases (the JITs of 3 JVMs on few cores)
PHASE_SECS=${PHASE_SECS:-30}       # seconds per algorithm
TOPOLOGIES=${TOPOLOGIES:-single cluster}
JVM_OPTS=${JVM_OPTS:--Xms256m -Xmx256m -XX:+UseParallelGC}
CLIENT_OPTS=${CLIENT_OPTS:--Xms768m -Xmx768m -XX:+UseParallelGC}
if [[ -n ${JAVA_HOME:-} ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
ALGORITHMS=${ALGORITHMS:-sliding-window sliding-window-counter token-bucket} # one phase each, in this order

bench_init fleet
need_uint GATEWAYS USERS KEYS HOT LIMIT WINDOW_MS CONCURRENCY WARMUP PHASE_SECS
((HOT >= 2 && GATEWAYS >= 1)) || die "HOT must be at least 2 and GATEWAYS at least 1"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ensure_tools
build_war
forget_started() { # pid: drop it from STARTED once it has ended
    local keep=() p
    for p in "${STARTED[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    STARTED=("${keep[@]}")
}
stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; forget_started "$1"; }

pick_port UP_PORT 18401
start_upstream "$RUN/upstream" "$UP_PORT"
log "upstream nginx on $UP_PORT"
"$JAVA" -cp "$CP" dev.tollgate.bench.FleetClientMain identities "$RUN/ids" "$USERS" "$KEYS"
HZ=$(getconf CLK_TCK)

for topology in $TOPOLOGIES; do
    logf="$RUN/redis-$topology.log"
    start_jvm REDIS_JVM "$logf" "$JAVA" dev.tollgate.bench.FleetRedisMain "$topology"
    wait_ready "$REDIS_JVM" "$logf" 60 || die "Redis ($topology) did not start (see $logf)"
    read -r -a PORTS <<<"$(awk '/^READY/ { $1 = ""; print; exit }' "$logf")"
    uris=$(printf 'redis://127.0.0.1:%s, ' "${PORTS[@]}")
    log "Redis $topology: ports ${PORTS[*]}"
    conf="$RUN/tollgate-$topology.properties"
    {
        echo "# Written by bench/fleet.sh: every gateway gets this file."
        echo "gateway.services.up.instances = http://127.0.0.1:$UP_PORT"
        echo "gateway.redis.uri = ${uris%, }"
        echo "gateway.redis.cluster = $([[ $topology == cluster ]] && echo true || echo false)"
        echo "gateway.auth.cache = redis"
        echo "gateway.auth.api-key.redis-lookup = true"
        echo "gateway.rate-limit.policy = redis"
        for a in $ALGORITHMS; do
            echo "gateway.rate-limit.rules.$a.algorithm = $a"
            echo "gateway.rate-limit.rules.$a.limit = $LIMIT"
            echo "gateway.rate-limit.rules.$a.window = ${WINDOW_MS}ms"
            echo "gateway.rate-limit.rules.$a.key = principal"
            echo "gateway.routes.$a.path = /$a/**"
            echo "gateway.routes.$a.service = up"
            echo "gateway.routes.$a.auth = jwt-or-api-key"
            echo "gateway.routes.$a.rate-limit = $a"
        done
        cat "$RUN/ids/auth.properties"
    } >"$conf"
    GW_PIDS=() GW_URLS=()
    for ((g = 1; g <= GATEWAYS; g++)); do
        pick_port port $((18410 + g))
        start_jvm pid "$RUN/tollgate-$topology-$g.log" "$JAVA" dev.tollgate.bench.TollgateMain "$port" "$WAR" \
            "$conf" platform
        GW_PIDS+=("$pid")
        GW_URLS+=("http://127.0.0.1:$port")
    done
    for ((g = 1; g <= GATEWAYS; g++)); do
        wait_ready "${GW_PIDS[g - 1]}" "$RUN/tollgate-$topology-$g.log" 180 ||
            { tail -30 "$RUN/tollgate-$topology-$g.log" >&2; die "gateway $g ($topology) did not start"; }
    done
    token=$(awk '$1 == "jwt" { print $3; exit }' "$RUN/ids/identities.txt")
    for url in "${GW_URLS[@]}"; do
        code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -H "Authorization: Bearer $token" "$url/token-bucket/x")
        [[ $code == 200 ]] || die "gateway $url answers $code to a signed request"
    done
    log "$topology: $GATEWAYS gateways up (${GW_URLS[*]}); load for $((WARMUP + 3 * PHASE_SECS)) s"
    # shellcheck disable=SC2086 # CLIENT_OPTS is a list of flags
    "$JAVA" $CLIENT_OPTS -cp "$CP" dev.tollgate.bench.FleetClientMain run "label=$topology" \
        "gateways=$(IFS=,; echo "${GW_URLS[*]}")" "pids=$(IFS=,; echo "${GW_PIDS[*]}")" "hz=$HZ" \
        "redis-ports=$(IFS=,; echo "${PORTS[*]}")" "cluster=$([[ $topology == cluster ]] && echo true || echo false)" \
        "identities=$RUN/ids/identities.txt" "routes=${ALGORITHMS// /,}" "warmup=$WARMUP" "phase=$PHASE_SECS" \
        "concurrency=$CONCURRENCY" "hot=$HOT" "hot-share=$HOT_SHARE" "limit=$LIMIT" "window=$WINDOW_MS" \
        "report=$RUN/phases.md" >"$RUN/client-$topology.log" 2>&1 ||
        { tail -30 "$RUN/client-$topology.log" >&2; die "the load client failed ($topology)"; }
    for pid in "${GW_PIDS[@]}"; do stop_pid "$pid"; done
    stop_pid "$REDIS_JVM"
done

errors=$(cat "$RUN"/tollgate-*.log | grep -c ' ERROR ' || true)
{
    echo "## Fleet, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); everything on it: gateways, Redis, nginx and the load client share the CPUs"
    echo "- gateways: $GATEWAYS × $WAR on $("$JAVA" -version 2>&1 | head -1), flags \`$JVM_OPTS\`; Redis: the tests' bundled redis-server, one, then a 3-master cluster; upstream: nginx (one worker)"
    echo "- load: FleetClientMain, $CONCURRENCY requests in flight (closed loop) round-robin over the gateways; $USERS JWT principals (HS256) and $KEYS API keys (in Redis), $HOT of them taking $HOT_SHARE of the requests; rules: $LIMIT per $WINDOW_MS ms per principal; warm-up ${WARMUP} s, then ${PHASE_SECS} s per algorithm"
    echo "- gateway ERROR log lines: $errors"
    echo
    cat "$RUN/phases.md"
} >"$RUN/results.md"
cp "$RUN/results.md" "$OUT/fleet-results.md"
echo
cat "$RUN/results.md"
