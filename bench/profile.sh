#!/usr/bin/env bash
# CPU profile of Tollgate's plain route under wrk load: one Tollgate JVM (a WAR on embedded Jetty 12) in front of
# the nginx upstream, recording CPU samples with JFR from its start (bench/cpu.jfc); after the warm-up, wrk runs
# once more and the samples of that run only give the top frames by self and by total time
# (dev.tollgate.bench.JfrTopFrames). Everything on 127.0.0.1. See bench/README.md.
# Usage: bash bench/profile.sh   (QUICK=1 for a smoke run; WAR=path.war for another WAR)
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
. "$ROOT/bench/lib.sh"

if [[ ${QUICK:-0} == 1 ]]; then WARMUP=${WARMUP:-15} DURATION=${DURATION:-10}; fi
WARMUP=${WARMUP:-60}            # seconds of load before the recording starts
DURATION=${DURATION:-30}        # seconds of load recorded
THREADS=${THREADS:-1}           # wrk -t
CONNECTIONS=${CONNECTIONS:-64}  # wrk -c
ANSWER=${ANSWER:-small}         # small | large
ROUTE=${ROUTE:-plain}           # plain | full (run.sh's full chain: RS256 JWT, redis token cache, a Redis rule)
TOP=${TOP:-10}
THREAD_MODE=${THREAD_MODE:-platform}
JVM_OPTS=${JVM_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}
if [[ -n ${JAVA_HOME:-} ]]; then JAVA="$JAVA_HOME/bin/java" JCMD="$JAVA_HOME/bin/jcmd"; else JAVA=java JCMD=jcmd; fi

bench_init profile
need_uint WARMUP DURATION THREADS CONNECTIONS TOP
[[ $ANSWER =~ ^(small|large)$ ]] || die "ANSWER must be small or large"
[[ $ROUTE =~ ^(plain|full)$ ]] || die "ROUTE must be plain or full"
((DURATION > 0)) || die "DURATION must be > 0"
ensure_tools "$JAVA" "$JCMD"
build_war
pick_port UP_PORT 18281; pick_port TG_PORT 18282; pick_port REDIS_PORT 18283
start_upstream "$RUN/nginx-upstream" "$UP_PORT"
wait_http "http://127.0.0.1:$UP_PORT/small" 15 || die "nginx upstream did not answer (see $RUN/nginx-upstream/error.log)"
HDR=()
if [[ $ROUTE == full ]]; then
    start_redis "$RUN/redis" "$REDIS_PORT"
    start_jvm FIXTURES_PID "$RUN/fixtures.log" "$JAVA" dev.tollgate.bench.FeatureFixturesMain "$UP_PORT" "$RUN/features"
    wait_ready "$FIXTURES_PID" "$RUN/fixtures.log" 60 || die "FeatureFixturesMain did not start (see $RUN/fixtures.log)"
    HDR=(-H "Authorization: Bearer $(cat "$RUN/features/token.txt")")
    bash "$ROOT/bench/config.sh" "$UP_PORT" "$REDIS_PORT" "$RUN/features/features.properties" 0 \
        >"$RUN/tollgate-profile.properties"
    echo "gateway.access-log.path = $RUN/tollgate-access.json" >>"$RUN/tollgate-profile.properties"
else
cat >"$RUN/tollgate-profile.properties" <<EOF
# Written by bench/profile.sh: the plain route of bench/run.sh (defaults: guard on, no auth, no limit).
gateway.services.bench.instances = http://127.0.0.1:$UP_PORT
gateway.routes.plain.path = /plain/**
gateway.routes.plain.service = bench
# the access log in a file of the run, as the Jetty distribution keeps it (not standard output)
gateway.access-log.path = $RUN/tollgate-access.json
EOF
fi
# JFR starts with the JVM: started later (jcmd JFR.start) it cut this server's throughput to a fraction for
# the rest of the run, while from the start it costs nothing measurable.
JFC=${JFR_SETTINGS:-$ROOT/bench/cpu.jfc}
JVM_EXTRA="-XX:FlightRecorderOptions:stackdepth=256 -XX:StartFlightRecording=name=bench,settings=$JFC" start_jvm TG_PID "$RUN/tollgate.log" "$JAVA" \
    dev.tollgate.bench.TollgateMain "$TG_PORT" "$WAR" "$RUN/tollgate-profile.properties" "$THREAD_MODE"
wait_ready "$TG_PID" "$RUN/tollgate.log" 120 || { tail -30 "$RUN/tollgate.log" >&2; die "Tollgate did not start"; }
log "$(grep '^READY' "$RUN/tollgate.log")"
URL="http://127.0.0.1:$TG_PORT/$ROUTE/$ANSWER"
curl -s -f -o /dev/null -m 5 "${HDR[@]}" "$URL" || die "$URL does not answer (see $RUN/tollgate.log)"

log "warm-up: ${WARMUP}s, wrk -t$THREADS -c$CONNECTIONS $URL"
((WARMUP == 0)) || wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${HDR[@]}" "$URL" >"$RUN/warmup.txt" 2>&1 || true
wait_quiet
FROM_MS=$(date +%s%3N)
log "recording ${DURATION}s under load"
t0=$(proc_ticks "$TG_PID"); u0=$(proc_ticks "$UPSTREAM_NGINX_PID_WORKER"); w0=$(self_child_ticks)
read -r s0 _ < <(sys_ticks)
start=$EPOCHREALTIME
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${HDR[@]}" "$URL" >"$RUN/wrk.txt" 2>&1 || true
t1=$(proc_ticks "$TG_PID"); u1=$(proc_ticks "$UPSTREAM_NGINX_PID_WORKER"); w1=$(self_child_ticks)
read -r s1 _ < <(sys_ticks)
OTHER=$(awk -v d=$((s1 - s0 - (t1 - t0) - (u1 - u0) - (w1 - w0))) -v hz="$HZ" -v a="$start" -v b="$EPOCHREALTIME" \
    'BEGIN { v = d / hz / (b - a) * 100; printf "%.0f", v < 0 ? 0 : v }')
TG_CPU=$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", d / hz / (b - a) * 100 }')
TO_MS=$(date +%s%3N)
"$JCMD" "$TG_PID" JFR.dump name=bench filename="$RUN/profile.jfr" >"$RUN/jfr-dump.txt" 2>&1 || die "JFR.dump failed (see $RUN/jfr-dump.txt)"
read -r rps p50 p99 n errs non2xx _ < <(parse_wrk "$RUN/wrk.txt")
"$JAVA" -cp "$CP" dev.tollgate.bench.JfrTopFrames "$RUN/profile.jfr" "$TOP" "$FROM_MS" "$TO_MS" >"$RUN/top-frames.md" 2>"$RUN/jfr-parse.log" ||
    die "JfrTopFrames failed (see $RUN/jfr-parse.log)"
{
    echo "## Tollgate CPU profile, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- gateway: $WAR on $("$JAVA" -version 2>&1 | head -1), $THREAD_MODE threads, flags \`$JVM_OPTS\`"
    echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s\` on /$ROUTE/$ANSWER after ${WARMUP}s of warm-up:" \
        "$(fmt "$rps" %.0f) req/s, p50 $(fmt "$p50" %.2f) ms, p99 $(fmt "$p99" %.2f) ms, socket errors $errs, non-2xx $non2xx," \
        "$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v n="$n" 'BEGIN { print n ? sprintf("%.1f", d / hz * 1e6 / n) : "NA" }') CPU µs/req; CPU % (100 = one CPU): Tollgate $TG_CPU, other processes $OTHER (wrk and the upstream excluded)"
    echo "- method: JFR from the JVM's start (\`-XX:StartFlightRecording\` with $(basename "$JFC"): Java stacks of" \
        "running threads every 10 ms, stack depth 256), the samples of the measured wrk run only; aggregated by \`dev.tollgate.bench.JfrTopFrames\` per method. JFR samples" \
        "Java code only: time in the kernel (socket reads and writes) and in the JVM itself (GC, JIT) is not in it."
    echo
    cat "$RUN/top-frames.md"
} >"$RUN/results.md"
cp "$RUN/results.md" "$OUT/profile-results.md"
echo
cat "$RUN/results.md"
