#!/usr/bin/env bash
# Stuck-upstream scenario: one Tollgate JVM with a healthy route (the nginx upstream) and a route whose upstream
# accepts and never answers. wrk measures the healthy route with HEALTHY_CONNS connections alone, then again
# while HANG_CONNS more connections wait on the stuck route (before its response timeout fires); the report
# compares the healthy p99 and the gateway's thread count. Everything on 127.0.0.1. See bench/README.md.
# Usage: bash bench/stuck.sh   (QUICK=1 for a smoke run)
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
. "$ROOT/bench/lib.sh"

if [[ ${QUICK:-0} == 1 ]]; then WARMUP=${WARMUP:-10} DURATION=${DURATION:-5}; fi
HEALTHY_CONNS=${HEALTHY_CONNS:-1000} # wrk -c on the healthy route
HANG_CONNS=${HANG_CONNS:-1000}       # wrk -c on the stuck route
RESPONSE_TIMEOUT=${RESPONSE_TIMEOUT:-30} # seconds: the stuck route's response-timeout
WARMUP=${WARMUP:-30}                 # seconds of load on the healthy route first
DURATION=${DURATION:-10}             # seconds per measured run
SETTLE=${SETTLE:-5}                  # at most this long for the stuck requests to reach the upstream
ROUNDS=${ROUNDS:-1}                  # baseline + hang pairs
WRK_THREADS=${WRK_THREADS:-1}        # wrk -t of each wrk
HEALTHY_TIMEOUT=${HEALTHY_TIMEOUT:-2} # wrk --timeout (s) on the healthy route: slower answers count as timeouts
THREAD_MODE=${THREAD_MODE:-platform} # platform | virtual (TollgateMain; virtual needs Java 21+)
JVM_OPTS=${JVM_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}
SAMPLE_SECS=${SAMPLE_SECS:-0.5}
if [[ -n ${JAVA_HOME:-} ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

bench_init stuck
need_uint HEALTHY_CONNS HANG_CONNS RESPONSE_TIMEOUT WARMUP DURATION SETTLE ROUNDS WRK_THREADS HEALTHY_TIMEOUT
[[ $THREAD_MODE =~ ^(platform|virtual)$ ]] || die "THREAD_MODE must be platform or virtual"
((SETTLE + DURATION + 3 < RESPONSE_TIMEOUT)) || die "SETTLE + DURATION + 3 must be below RESPONSE_TIMEOUT"
((HEALTHY_TIMEOUT < DURATION)) || die "HEALTHY_TIMEOUT must be below DURATION (else a stuck answer is never counted)"
((ROUNDS > 0 && DURATION > 0)) || die "ROUNDS and DURATION must be > 0"
mkdir -p "$RUN/wrk" "$RUN/samples"
# every client connection is a descriptor in wrk and in the gateway, and the gateway holds one upstream
# connection per waiting request as well
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) >= 2 * (HEALTHY_CONNS + HANG_CONNS) + 1024)) || die "open-files limit $(ulimit -n) is too low"

ensure_tools "$JAVA"
build_war
pick_port UP_PORT 18181; pick_port HANG_PORT 18182; pick_port GW_PORT 18183
start_upstream "$RUN/nginx-upstream" "$UP_PORT"
wait_http "http://127.0.0.1:$UP_PORT/small" 15 || die "nginx upstream did not answer (see $RUN/nginx-upstream/error.log)"
start_jvm HANG_PID "$RUN/hanging-upstream.log" "$JAVA" dev.tollgate.bench.HangingUpstreamMain "$HANG_PORT" "$RUN/hang-stats"
wait_ready "$HANG_PID" "$RUN/hanging-upstream.log" 60 || die "HangingUpstreamMain did not start"
hang_open() { awk 'NR == 1 { print $2 + 0; f = 1 } END { if (!f) print 0 }' "$RUN/hang-stats" 2>/dev/null || echo 0; }

cat >"$RUN/tollgate-stuck.properties" <<EOF
# Written by bench/stuck.sh. The pool and the healthy service's bulkhead are sized so that neither is the limit
# for $HEALTHY_CONNS + $HANG_CONNS concurrent requests; the stuck service has no guard, so that every request to it
# waits for the response timeout (its breaker would otherwise open after the first timeouts, in later rounds).
# the access log in a file of the run, as the Jetty distribution keeps it (not standard output)
gateway.access-log.path = $RUN/tollgate-access.json
gateway.http-client.max-connections = 8192
gateway.http-client.max-connections-per-route = 4096
gateway.services.healthy.instances = http://127.0.0.1:$UP_PORT
gateway.services.healthy.bulkhead.max-concurrent = 8192
gateway.services.stuck.instances = http://127.0.0.1:$HANG_PORT
gateway.services.stuck.resilience.enabled = false
gateway.routes.healthy.path = /healthy/**
gateway.routes.healthy.service = healthy
gateway.routes.stuck.path = /stuck/**
gateway.routes.stuck.service = stuck
gateway.routes.stuck.response-timeout = ${RESPONSE_TIMEOUT}s
EOF
[[ $THREAD_MODE == virtual && -z ${JAVA_HOME:-} ]] && JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
start_jvm GW_PID "$RUN/tollgate.log" "$JAVA" dev.tollgate.bench.TollgateMain "$GW_PORT" "$WAR" \
    "$RUN/tollgate-stuck.properties" "$THREAD_MODE"
wait_ready "$GW_PID" "$RUN/tollgate.log" 120 || { tail -30 "$RUN/tollgate.log" >&2; die "Tollgate did not start"; }
log "$(grep '^READY' "$RUN/tollgate.log")"
HEALTHY="http://127.0.0.1:$GW_PORT/healthy/small"
STUCK="http://127.0.0.1:$GW_PORT/stuck/small"
[[ $(curl -s -m 5 "$HEALTHY") == "hello from upstream" ]] || die "the healthy route does not answer (see $RUN/tollgate.log)"

# one request on the stuck route in the background: it must end as 504 after about RESPONSE_TIMEOUT
curl -s -o /dev/null -m $((RESPONSE_TIMEOUT + 15)) -w '%{http_code} %{time_total}\n' "$STUCK" >"$RUN/stuck-check.txt" 2>&1 &
CHECK_PID=$!
TRANSIENT+=("$CHECK_PID")
log "warm-up: ${WARMUP}s on the healthy route, wrk -c$HEALTHY_CONNS (and one request on the stuck route meanwhile)"
((WARMUP == 0)) || wrk -t"$WRK_THREADS" -c"$HEALTHY_CONNS" -d"${WARMUP}s" --timeout "${HEALTHY_TIMEOUT}s" "$HEALTHY" >"$RUN/wrk/warmup.txt" 2>&1 || true
wait "$CHECK_PID" || true
forget_transient "$CHECK_PID"
read -r CHECK_CODE CHECK_TIME <"$RUN/stuck-check.txt" || true
log "stuck route: HTTP ${CHECK_CODE:-none} after ${CHECK_TIME:-?}s (expected 504 after about ${RESPONSE_TIMEOUT}s)"

wait_drained() { # until no request waits at the stuck upstream (the response timeout releases them)
    local deadline=$((SECONDS + RESPONSE_TIMEOUT + 20))
    while (($(hang_open) > 0 && SECONDS < deadline)); do sleep 0.5; done
    (($(hang_open) == 0)) || log "  still $(hang_open) connection(s) open at the stuck upstream"
}
healthy_run() { # outfile -> M=(rps p50 p99 requests errors non2xx timeouts vcsw threads cpu_us_per_req)
    local f=$1 t0 t1 rps p50 p99 n errs non tmo vc th
    sampler_start "$GW_PID" "$RUN/samples/$(basename "$f" .txt).txt"
    t0=$(proc_ticks "$GW_PID")
    wrk -t"$WRK_THREADS" -c"$HEALTHY_CONNS" -d"${DURATION}s" --timeout "${HEALTHY_TIMEOUT}s" --latency "$HEALTHY" >"$f" 2>&1 || true
    t1=$(proc_ticks "$GW_PID")
    read -r vc th < <(sampler_stop "$GW_PID" "$RUN/samples/$(basename "$f" .txt).txt")
    read -r rps p50 p99 n errs non tmo < <(parse_wrk "$f")
    ((n > 0)) || p50=NA p99=NA # wrk prints a latency of 0 when nothing completed
    M=("$rps" "$p50" "$p99" "$n" "$errs" "$non" "$tmo" "$vc" "$th"
       "$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v n="$n" 'BEGIN { print n ? sprintf("%.1f", d / hz * 1e6 / n) : "NA" }')")
}
CSV="$RUN/results.csv"
echo "round,run,rps,p50_ms,p99_ms,requests,socket_errors,non2xx,timeouts,vcsw,threads_max,cpu_us_per_req,stuck_waiting" >"$CSV"
for ((r = 1; r <= ROUNDS; r++)); do
    wait_drained
    log "round $r: healthy route alone, wrk -c$HEALTHY_CONNS ${DURATION}s"
    healthy_run "$RUN/wrk/round$r-baseline.txt"; m=("${M[@]}")
    echo "$r,baseline,$(IFS=,; echo "${m[*]}"),0" >>"$CSV"
    log "  ${m[0]} req/s, p50 ${m[1]} p99 ${m[2]} ms, timeouts ${m[6]}, errors ${m[4]}, threads max ${m[8]}"
    log "round $r: $HANG_CONNS connections on the stuck route, then the healthy route again"
    wrk -t"$WRK_THREADS" -c"$HANG_CONNS" -d"$((SETTLE + DURATION + 2))s" --timeout "$((RESPONSE_TIMEOUT * 2))s" "$STUCK" \
        >"$RUN/wrk/round$r-stuck.txt" 2>&1 &
    HANG_WRK=$!
    TRANSIENT+=("$HANG_WRK")
    deadline=$((SECONDS + SETTLE))
    while (($(hang_open) < HANG_CONNS && SECONDS < deadline)); do sleep 0.25; done
    log "  $(hang_open) request(s) waiting at the stuck upstream after $((SETTLE - deadline + SECONDS))s"
    healthy_run "$RUN/wrk/round$r-hang.txt"; m=("${M[@]}")
    waiting=$(hang_open)
    echo "$r,hang,$(IFS=,; echo "${m[*]}"),$waiting" >>"$CSV"
    log "  ${m[0]} req/s, p50 ${m[1]} p99 ${m[2]} ms, timeouts ${m[6]}, errors ${m[4]}, threads max ${m[8]}; $waiting waiting at the stuck upstream"
    wait "$HANG_WRK" || true
    forget_transient "$HANG_WRK"
done

# ---------------------------------------------------------------- report
col() { awk -F, -v r="$1" -v k="$2" 'NR > 1 && $2 == r && $k != "NA" { print $k }' "$CSV" | median_of; }
sum() { awk -F, -v r="$1" -v k="$2" 'NR > 1 && $2 == r { s += $k } END { print s + 0 }' "$CSV"; }
P99_RATIO=$(ratio "$(col hang 5)" "$(col baseline 5)" %.2f)
TH_BASE=$(col baseline 11) TH_HANG=$(col hang 11) WAITING=$(col hang 13)
{
    echo "## Stuck upstream, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- gateway: $WAR on $("$JAVA" -version 2>&1 | head -1), $THREAD_MODE threads, flags \`$JVM_OPTS\`"
    echo "- healthy route: \`wrk -t$WRK_THREADS -c$HEALTHY_CONNS -d${DURATION}s --timeout ${HEALTHY_TIMEOUT}s\` (nginx upstream, /small);" \
        "stuck route: $HANG_CONNS more connections (\`--timeout $((RESPONSE_TIMEOUT * 2))s\`) to an upstream that never answers," \
        "response-timeout ${RESPONSE_TIMEOUT}s; the healthy run starts once they wait at the upstream (at most ${SETTLE}s) and ends" \
        "before their timeout; ${WARMUP}s warm-up; $ROUNDS round(s), medians"
    echo "- one request on the stuck route alone: HTTP ${CHECK_CODE:-none} after ${CHECK_TIME:-?} s"
    echo
    echo "| healthy route | req/s | p50 ms | p99 ms | requests | wrk timeouts | socket errors | non-2xx | CPU µs/req | gateway threads (max) | stuck requests waiting at the upstream |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for run in baseline hang; do
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
            "$([[ $run == baseline ]] && echo "alone" || echo "with $HANG_CONNS stuck")" \
            "$(fmt "$(col $run 3)" %.0f)" "$(fmt "$(col $run 4)" %.2f)" "$(fmt "$(col $run 5)" %.2f)" "$(sum $run 6)" \
            "$(sum $run 9)" "$(sum $run 7)" "$(sum $run 8)" "$(col $run 12)" "$(col $run 11)" "$(col $run 13)"
    done
    echo
    awk -v r="$P99_RATIO" -v tmo="$(sum hang 9)" -v n="$(sum hang 6)" 'BEGIN {
        ok = (r != "n/a" && r + 0 <= 2 && tmo == 0 && n > 0)
        printf "- healthy p99 with the stuck requests / without: **%s** (goal <= 2.00, with answers and no wrk timeouts: %s)\n", r, (ok ? "met" : "NOT met") }'
    awk -v b="$TH_BASE" -v h="$TH_HANG" -v w="$WAITING" -v n="$HANG_CONNS" 'BEGIN {
        ok = (h - b < n / 10 && w >= n * 0.9)
        printf "- gateway threads: at most %d with the stuck requests, %d without; %d of %d stuck requests were waiting at the upstream (goal: all of them waiting, no thread per waiting request, i.e. fewer than %d more threads: %s)\n", h, b, w, n, n / 10, (ok ? "met" : "NOT met") }'
    echo
    echo "Method: threads = the most seen in /proc/<pid>/status (Threads:) of the gateway JVM, sampled every" \
        "${SAMPLE_SECS}s during the healthy run (operating-system threads: virtual threads are not counted)." \
        "Waiting = connections open at the stuck upstream at the end of the healthy run. wrk leaves an answer" \
        "slower than its --timeout out of the latency figures and counts it as a timeout (again at each of its" \
        "2-second checks), so any timeout fails the goal."
} >"$RUN/results.md"
cp "$RUN/results.md" "$OUT/stuck-results.md"
echo
cat "$RUN/results.md"
