#!/usr/bin/env bash
# Tollgate throughput/latency/CPU benchmark: wrk against every peer in one run, all fronting the same nginx
# upstream, on a short (/small) and a 16 KiB (/large) answer: the upstream itself (direct), nginx as reverse
# proxy, Jetty 12's ProxyServlet.Transparent, Tollgate's plain route and its full chain (RS256 JWT with the redis
# token cache, a Redis sliding-window limit per principal, the guard), plus extra Tollgate WARs (TG_EXTRA_WARS)
# and, with FEATURES=1, the feature variants and the in-process harness. See bench/README.md.
# Usage: bash bench/run.sh   (QUICK=1 for a smoke run)
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
. "$ROOT/bench/lib.sh"

if [[ ${QUICK:-0} == 1 ]]; then WARMUP=${WARMUP:-10} DURATION=${DURATION:-3} ROUNDS=${ROUNDS:-1}; fi
WARMUP=${WARMUP:-100}           # seconds of load on all JVMs at once (each its own wrk) before measuring
SLICE=${SLICE:-10}              # warm-up slice; each slice moves every JVM to its next route/answer
DURATION=${DURATION:-8}         # seconds per measured wrk run
ROUNDS=${ROUNDS:-4}             # measured rounds; each round runs every case once, the order rotated
THREADS=${THREADS:-1}           # wrk -t
CONNECTIONS=${CONNECTIONS:-64}  # wrk -c
PAUSE=${PAUSE:-0}               # extra seconds between runs (the quiet check below already takes one)
QUIET_MAX=${QUIET_MAX:-20}      # before a measured run, wait while the machine is busier than this (%)...
QUIET_WAIT=${QUIET_WAIT:-60}    # ...but at most this many seconds
JVM_OPTS=${JVM_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}
FEATURES=${FEATURES:-0}         # 1: also the feature routes (auth alone, limits alone, Consul, unguarded), harness
TG_EXTRA_WARS=${TG_EXTRA_WARS:-} # "name=war name2=vt:war": more Tollgate JVMs; vt: = VT_JAVA_HOME + virtual threads
EXTRA_FULL=${EXTRA_FULL:-0}     # 1: the extra WARs' full-chain route too (default: their plain route only)
VT_JAVA_HOME=${VT_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [[ -n ${JAVA_HOME:-} ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

bench_init run
ln -sfn "$(basename "$RUN")" "$OUT/latest"
need_uint WARMUP SLICE DURATION ROUNDS THREADS CONNECTIONS PAUSE QUIET_MAX QUIET_WAIT FEATURES EXTRA_FULL
((SLICE > 0 && DURATION > 0 && ROUNDS > 0)) || die "SLICE, DURATION and ROUNDS must be > 0"
mkdir -p "$RUN/wrk" "$RUN/warmup" "$RUN/samples"
CSV="$RUN/results.csv"
TABLE="$RUN/results.md"

# ---------------------------------------------------------------- 1. tools and build
ensure_tools "$JAVA"
build_war

# ---------------------------------------------------------------- 2. targets
# A target is one process (pid for the accounting) and one URL prefix; a case is a target and an answer.
pick_port UP_PORT 18081; pick_port NGX_PORT 18082; pick_port JETTY_PORT 18083; pick_port TG_PORT 18084
pick_port REDIS_PORT 18085
declare -A PORT=([direct]=$UP_PORT [nginx]=$NGX_PORT [jetty]=$JETTY_PORT [tg-plain]=$TG_PORT [tg-full]=$TG_PORT)
declare -A PREFIX=([direct]="" [nginx]="" [jetty]="" [tg-plain]=/plain [tg-full]=/full)
declare -A NAME=([direct]="direct upstream (nginx)" [nginx]="nginx reverse proxy" [jetty]="Jetty 12 ProxyServlet"
                 [tg-plain]="Tollgate plain (defaults)" [tg-full]="Tollgate full chain")
declare -A JVM_OF=([jetty]=jetty [tg-plain]=tollgate [tg-full]=tollgate) HDR=()
TARGETS=(direct nginx jetty tg-plain tg-full)
FTARGETS=()
if ((FEATURES)); then
    # tg-unguarded right after tg-plain and tg-noauth right before tg-auth: the rounds rotate the case list, so
    # each pair runs back to back
    FTARGETS=(tg-unguarded tg-noauth tg-auth tg-limited tg-limited-tb tg-consul)
    for t in "${FTARGETS[@]}"; do PORT[$t]=$TG_PORT; PREFIX[$t]=/${t#tg-}; JVM_OF[$t]=tollgate; done
    NAME+=([tg-unguarded]="resilience guard off (otherwise plain)"
           [tg-noauth]="auth off, the same token sent (otherwise plain)" [tg-auth]="auth: JWT RS256, level-1 hit"
           [tg-limited]="rate limit: redis, sliding window, by ip" [tg-limited-tb]="rate limit: redis, token bucket, by ip"
           [tg-consul]="discovery: Consul (FakeConsul)")
fi
JVMS=(jetty tollgate)
declare -A JVM_WAR=([tollgate]=$WAR) JVM_JAVA=([jetty]=$JAVA [tollgate]=$JAVA) JVM_MODE=([tollgate]=platform)
XTARGETS=()
for spec in $TG_EXTRA_WARS; do
    x=${spec%%=*} war=${spec#*=} mode=platform java=$JAVA
    [[ $spec == *=* && $x =~ ^[a-z][a-z0-9-]*$ ]] || die "TG_EXTRA_WARS: '$spec' is not name=war (name: a-z, 0-9, -)"
    [[ -z ${PORT[$x]:-} ]] || die "TG_EXTRA_WARS: name '$x' is taken"
    [[ $war == vt:* ]] && { war=${war#vt:}; mode=virtual; java="$VT_JAVA_HOME/bin/java"; }
    war=$(readlink -f "$war") && [[ -f $war ]] || die "TG_EXTRA_WARS: $spec: no such WAR"
    command -v "$java" >/dev/null 2>&1 || die "TG_EXTRA_WARS: $spec: $java not found (VT_JAVA_HOME)"
    pick_port "XPORT" 18090
    JVMS+=("$x"); JVM_WAR[$x]=$war; JVM_JAVA[$x]=$java; JVM_MODE[$x]=$mode
    PORT[$x]=$XPORT; PREFIX[$x]=/plain; JVM_OF[$x]=$x; NAME[$x]="$x (plain, $mode threads)"; XTARGETS+=("$x")
    if ((EXTRA_FULL)); then
        PORT[$x-full]=$XPORT; PREFIX[$x-full]=/full; JVM_OF[$x-full]=$x; NAME[$x-full]="$x (full chain)"
        XTARGETS+=("$x-full")
    fi
done
# the case list: every target on /small, then on /large (feature variants on /small only)
CASES=()
for t in direct nginx jetty tg-plain; do CASES+=("$t@small"); done
[[ -n ${FTARGETS[*]} ]] && for t in "${FTARGETS[@]}"; do CASES+=("$t@small"); done
for t in tg-full "${XTARGETS[@]}"; do CASES+=("$t@small"); done
for t in "${TARGETS[@]}" "${XTARGETS[@]}"; do CASES+=("$t@large"); done
log "ports: upstream=$UP_PORT nginx=$NGX_PORT jetty=$JETTY_PORT tollgate=$TG_PORT redis=$REDIS_PORT" \
    "extras: ${XTARGETS[*]:-none}; ${#CASES[@]} cases"

# ---------------------------------------------------------------- 3. upstream, nginx proxy, Redis, fixtures
start_upstream "$RUN/nginx-upstream" "$UP_PORT"
nginx_conf "$RUN/nginx-proxy" "
    upstream bench_upstream {
        server 127.0.0.1:$UP_PORT;
        keepalive 64;
        keepalive_requests 100000000;
    }
    server {
        listen 127.0.0.1:$NGX_PORT;
        location / {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
start_nginx "$RUN/nginx-proxy" PROXY_NGINX_PID
wait_http "http://127.0.0.1:$UP_PORT/small" 15 || die "nginx upstream did not answer (see $RUN/nginx-upstream/error.log)"
wait_http "http://127.0.0.1:$NGX_PORT/small" 15 || die "nginx proxy did not answer (see $RUN/nginx-proxy/error.log)"
start_redis "$RUN/redis" "$REDIS_PORT"
start_jvm FIXTURES_PID "$RUN/fixtures.log" "$JAVA" dev.tollgate.bench.FeatureFixturesMain "$UP_PORT" "$RUN/features"
wait_ready "$FIXTURES_PID" "$RUN/fixtures.log" 60 || die "FeatureFixturesMain did not start (see $RUN/fixtures.log)"
TOKEN_HDR="Authorization: Bearer $(cat "$RUN/features/token.txt")"
HDR[tg-full]=$TOKEN_HDR
for x in "${XTARGETS[@]}"; do [[ $x == *-full ]] && HDR[$x]=$TOKEN_HDR; done
((FEATURES)) && HDR[tg-auth]=$TOKEN_HDR && HDR[tg-noauth]=$TOKEN_HDR
bash "$ROOT/bench/config.sh" "$UP_PORT" "$REDIS_PORT" "$RUN/features/features.properties" "$FEATURES" \
    >"$RUN/tollgate-bench.properties"
# the access log in a file of the run, as the Jetty distribution keeps it (not standard output)
echo "gateway.access-log.path = $RUN/tollgate-access.json" >>"$RUN/tollgate-bench.properties"

# ---------------------------------------------------------------- 4. the JVMs
log "java: $("$JAVA" -version 2>&1 | head -1); flags: $JVM_OPTS"
start_jvm JETTY_PID "$RUN/jetty-proxy.log" "$JAVA" dev.tollgate.bench.JettyProxyMain "$JETTY_PORT" "http://127.0.0.1:$UP_PORT"
declare -A JVM_PID=([jetty]=$JETTY_PID)
for j in "${JVMS[@]}"; do
    [[ $j == jetty ]] && continue
    p=${PORT[tg-plain]}; [[ $j == tollgate ]] || p=${PORT[$j]}
    start_jvm JPID "$RUN/$j.log" "${JVM_JAVA[$j]}" dev.tollgate.bench.TollgateMain "$p" "${JVM_WAR[$j]}" \
        "$RUN/tollgate-bench.properties" "${JVM_MODE[$j]}"
    JVM_PID[$j]=$JPID
done
for j in "${JVMS[@]}"; do
    logf="$RUN/$j.log"; [[ $j == jetty ]] && logf="$RUN/jetty-proxy.log"
    wait_ready "${JVM_PID[$j]}" "$logf" 120 || { tail -30 "$logf" >&2; die "$j did not start (see $logf)"; }
    log "$(grep '^READY' "$logf")"
done
declare -A PID_OF=([direct]=$UPSTREAM_NGINX_PID_WORKER [nginx]=$PROXY_NGINX_PID_WORKER)
for t in "${!JVM_OF[@]}"; do PID_OF[$t]=${JVM_PID[${JVM_OF[$t]}]}; done

url_of() { local t=${1%@*} a=${1#*@}; echo "http://127.0.0.1:${PORT[$t]}${PREFIX[$t]}/$a"; }
hdr_of() { local t=${1%@*}; [[ -n ${HDR[$t]:-} ]] && printf '%s\n' -H "${HDR[$t]}"; return 0; }

# ---------------------------------------------------------------- smoke check: one request per case
SMOKE_OK=1
for c in "${CASES[@]}"; do
    mapfile -t h < <(hdr_of "$c")
    code=$(curl -sS -m 5 "${h[@]}" -D "$RUN/smoke-$c.headers" -o "$RUN/smoke-$c.body" -w '%{http_code}' \
        "$(url_of "$c")" 2>>"$RUN/run.log") || code=000
    if [[ $c == *@large ]]; then
        ok=$([[ $code == 200 && $(stat -c %s "$RUN/smoke-$c.body") == "$LARGE_BYTES" ]] && echo 1 || echo 0)
        log "smoke $c: HTTP $code, $(stat -c %s "$RUN/smoke-$c.body") bytes"
    else
        body=$(head -c 80 "$RUN/smoke-$c.body" 2>/dev/null | tr -d '\n' || true)
        ok=$([[ $code == 200 && $body == "hello from upstream" ]] && echo 1 || echo 0)
        log "smoke $c: HTTP $code '$body'"
    fi
    ((ok)) || SMOKE_OK=0
done
((SMOKE_OK)) || log "WARNING: a case did not answer as expected; measuring anyway (see smoke-* files)"

# ---------------------------------------------------------------- 5. warm-up: all JVMs at once
declare -A WCASES=()
for c in "${CASES[@]}"; do
    t=${c%@*}; j=${JVM_OF[$t]:-}
    [[ -n $j ]] && WCASES[$j]+="$c "
done
log "warm-up: ${WARMUP}s, every JVM loaded at once by its own wrk, ${SLICE}s per route/answer"
for ((s = 0, left = WARMUP; left > 0; s++, left -= SLICE)); do
    secs=$((left < SLICE ? left : SLICE)) pids=() files=()
    for j in "${JVMS[@]}"; do
        read -ra wc <<<"${WCASES[$j]}"
        c=${wc[$((s % ${#wc[@]}))]}
        f="$RUN/warmup/$(printf '%02d' "$s")-$c.txt"
        mapfile -t h < <(hdr_of "$c")
        timeout -k 5 $((secs + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" "${h[@]}" "$(url_of "$c")" >"$f" 2>&1 &
        pids+=($!); files+=("$f"); TRANSIENT+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || true; forget_transient "$p"; done
    summary=
    for f in "${files[@]}"; do
        read -r rps _ p99 _ errs non2xx _ < <(parse_wrk "$f")
        n=$(basename "$f" .txt); summary+=" ${n#*-} ${rps}/s e${errs}n${non2xx};"
    done
    log "  warm-up ${secs}s:$summary"
done
resp "$REDIS_PORT" CONFIG RESETSTAT >/dev/null

# ---------------------------------------------------------------- 6. measure: ROUNDS interleaved rounds
# measure case outfile -> LINE: the CSV columns after round and case
measure() {
    local c=$1 outf=$2 t=${1%@*} rc=0 pid
    pid=${PID_OF[$t]}
    kill -0 "$pid" 2>/dev/null || die "$t (pid $pid) is not running"
    local smp="$RUN/samples/$(basename "$outf" .txt).txt" t0 u0 w0 s0 e0 t1 u1 w1 s1 e1 start el h
    mapfile -t h < <(hdr_of "$c")
    sampler_start "$pid" "$smp"
    t0=$(proc_ticks "$pid"); u0=$(proc_ticks "$UPSTREAM_NGINX_PID_WORKER"); w0=$(self_child_ticks)
    read -r s0 e0 < <(sys_ticks)
    start=$EPOCHREALTIME
    timeout -k 5 $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${h[@]}" \
        "$(url_of "$c")" >"$outf" 2>&1 &
    local wpid=$!
    TRANSIENT+=("$wpid")
    wait "$wpid" || rc=$?
    forget_transient "$wpid"
    el=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
    read -r s1 e1 < <(sys_ticks)
    t1=$(proc_ticks "$pid"); u1=$(proc_ticks "$UPSTREAM_NGINX_PID_WORKER"); w1=$(self_child_ticks)
    local vcsw threads
    read -r vcsw threads < <(sampler_stop "$pid" "$smp")
    ((rc == 0)) || echo "wrk exit status $rc" >>"$outf"
    local rps p50 p99 n errs non2xx tmo
    read -r rps p50 p99 n errs non2xx tmo < <(parse_wrk "$outf")
    [[ $t == direct ]] && u1=$u0
    LINE=$(awk -v dt=$((t1 - t0)) -v du=$((u1 - u0)) -v dw=$((w1 - w0)) -v ds=$((s1 - s0)) -v hz="$HZ" -v el="$el" \
        -v n="$n" -v vc="$vcsw" -v th="$threads" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v errs="$errs" -v non="$non2xx" '
        function pct(d) { return sprintf("%.0f", d / hz / el * 100) }
        BEGIN { other = ds - dt - du - dw; if (other < 0) other = 0
                us = n > 0 ? sprintf("%.1f", dt / hz * 1e6 / n) : "NA"; cs = n > 0 ? sprintf("%.3f", vc / n) : "NA"
                printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", rps, p50, p99, n, errs, non, us, cs, th,
                    pct(dt), pct(du), pct(dw), pct(other), pct(ds) }')
}
COLS="round,case,rps,p50_ms,p99_ms,requests,socket_errors,non2xx,cpu_us_per_req,vcsw_per_req,threads_max,target_cpu_pct,upstream_cpu_pct,wrk_cpu_pct,other_cpu_pct,machine_cpu_pct"
echo "$COLS" >"$CSV"
log "measuring: $ROUNDS round(s) x ${#CASES[@]} cases x ${DURATION}s, wrk -t$THREADS -c$CONNECTIONS --latency" \
    "(about $((ROUNDS * ${#CASES[@]} * (DURATION + PAUSE + 2) / 60 + 1)) min)"
for ((r = 0; r < ROUNDS; r++)); do
    for ((i = 0; i < ${#CASES[@]}; i++)); do
        c=${CASES[$(((i + r) % ${#CASES[@]}))]}
        ((PAUSE == 0)) || sleep "$PAUSE"
        wait_quiet
        measure "$c" "$RUN/wrk/round$((r + 1))-$c.txt"
        echo "$((r + 1)),$c,$LINE" >>"$CSV"
        IFS=, read -r rps p50 p99 n errs non us cs th tc uc wc oc mc <<<"$LINE"
        log "  round $((r + 1)) $c: $rps req/s, p50 $p50 p99 $p99 ms, $us CPU us/req, $cs vcsw/req, $th threads;" \
            "errors $errs non-2xx $non; CPU % target $tc upstream $uc wrk $wc other $oc machine $mc"
    done
done
resp "$REDIS_PORT" INFO commandstats >"$RUN/redis/commandstats.txt" 2>&1 || true

# ---------------------------------------------------------------- 7. report
. "$ROOT/bench/report.sh"
((FEATURES)) && . "$ROOT/bench/features.sh"
cp "$TABLE" "$OUT/results.md"
echo
cat "$TABLE"
echo
log "raw wrk output: $RUN/wrk/  per-run numbers: $CSV  table: $TABLE (copied to $OUT/results.md)"
for j in "${JVMS[@]}"; do
    logf="$RUN/$j.log"; [[ $j == jetty ]] && logf="$RUN/jetty-proxy.log"
    if grep -Eq ' (WARN|ERROR) ' "$logf"; then
        log "$j logged $(grep -Ec ' (WARN|ERROR) ' "$logf") WARN/ERROR line(s); first ones:"
        grep -E ' (WARN|ERROR) ' "$logf" | head -5 >&2
    fi
done
