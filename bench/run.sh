#!/usr/bin/env bash
# Tollgate throughput/latency benchmark: wrk against four targets on 127.0.0.1, all fronting the same nginx
# upstream: the upstream itself (direct), nginx as reverse proxy, Jetty 12's ProxyServlet.Transparent and the
# Tollgate WAR on embedded Jetty 12; with FEATURES=1 (default) also Tollgate routes with auth, rate limiting,
# Consul discovery and without the resilience guard, and the in-process feature cost harness. See bench/README.md.
# Usage: bash bench/run.sh   (QUICK=1 for a smoke run)
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$PATH:/usr/sbin:/sbin"

if [[ ${QUICK:-0} == 1 ]]; then
    WARMUP=${WARMUP:-10} DURATION=${DURATION:-5} ROUNDS=${ROUNDS:-1}
fi
WARMUP=${WARMUP:-90}            # seconds of load per JVM target before measuring
SLICE=${SLICE:-15}              # warm-up slice length; JVM targets alternate slice by slice
DURATION=${DURATION:-15}        # seconds per measured wrk run
ROUNDS=${ROUNDS:-3}             # measured rounds; each round runs every target once
THREADS=${THREADS:-2}           # wrk -t
CONNECTIONS=${CONNECTIONS:-64}  # wrk -c
PAUSE=${PAUSE:-2}               # seconds of quiet between runs
QUIET_MAX=${QUIET_MAX:-20}      # before a measured run, wait while the machine is busier than this (%)...
QUIET_WAIT=${QUIET_WAIT:-60}    # ...but at most this many seconds
BENCH_PATH=${BENCH_PATH:-/hello}
JVM_OPTS=${JVM_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}
MVN=${MVN:-mvn}
SKIP_BUILD=${SKIP_BUILD:-0}     # 1: reuse target/ and the last classpath file (bench/out/classpath.txt)
FEATURES=${FEATURES:-1}         # 1: also the feature routes (auth, rate limit, Consul) and the in-process harness
FEATURE_WARMUP=${FEATURE_WARMUP:-15}  # seconds of load per feature route after the JVM warm-up
if [[ -n ${JAVA_HOME:-} ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

for v in WARMUP SLICE DURATION ROUNDS THREADS CONNECTIONS PAUSE QUIET_MAX QUIET_WAIT FEATURES FEATURE_WARMUP; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "run.sh: $v must be a whole number, got '${!v}'" >&2; exit 2; }
done
((SLICE > 0 && DURATION > 0 && ROUNDS > 0)) || { echo "run.sh: SLICE, DURATION and ROUNDS must be > 0" >&2; exit 2; }

OUT="$ROOT/bench/out"
RUN="$OUT/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN/wrk" "$RUN/warmup"
ln -sfn "$(basename "$RUN")" "$OUT/latest"
CSV="$RUN/results.csv"
TABLE="$RUN/results.md"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$RUN/run.log" >&2; }
die() { log "FATAL: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup: everything we start, whatever happens
JVM_PIDS=()
NGINX_PIDS=()
EXTRA_PIDS=() # redis-server, the feature fixtures JVM
WRK_PID=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [[ -n $WRK_PID ]] && kill -TERM "$WRK_PID" 2>/dev/null || true
    local pid
    for pid in "${JVM_PIDS[@]}" "${NGINX_PIDS[@]}" "${EXTRA_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    local deadline=$((SECONDS + 20)) alive
    while ((SECONDS < deadline)); do
        alive=0
        for pid in "${JVM_PIDS[@]}" "${NGINX_PIDS[@]}" "${EXTRA_PIDS[@]}"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        ((alive)) || break
        sleep 0.5
    done
    for pid in "${JVM_PIDS[@]}" "${NGINX_PIDS[@]}" "${EXTRA_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid did not stop; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    ((rc == 0)) || log "exited with status $rc; logs in $RUN"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- 1. tools and build
need=()
command -v nginx >/dev/null 2>&1 || need+=(nginx)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if ((${#need[@]})); then
    SUDO=
    ((EUID == 0)) || SUDO=sudo
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y "${need[@]}" || { $SUDO apt-get update && $SUDO apt-get install -y "${need[@]}"; }
fi
tools=(nginx wrk curl "$JAVA")
((FEATURES)) && tools+=(redis-server redis-cli)
for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done

if [[ $SKIP_BUILD == 1 ]]; then
    log "SKIP_BUILD=1: reusing target/ and $OUT/classpath.txt"
else
    log "building the WAR and test classes ($MVN -q -DskipTests package)"
    $MVN -q -DskipTests package
    $MVN -q dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=test
fi
WAR="$ROOT/target/tollgate.war"
[[ -f $WAR ]] || die "$WAR missing"
[[ -f $OUT/classpath.txt ]] || die "$OUT/classpath.txt missing (run without SKIP_BUILD=1)"
[[ -f $ROOT/target/test-classes/dev/tollgate/bench/TollgateMain.class ]] || die "bench launchers not compiled"
cp "$OUT/classpath.txt" "$RUN/classpath.txt"
# target/classes only for its logback.xml (the Jetty side logs at INFO, as in DemoMain); the WAR's own classes
# are loaded from the WAR by the web app class loader.
CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$OUT/classpath.txt")"

# ---------------------------------------------------------------- 2. ports
port_busy() {
    ss -Htln "sport = :$1" 2>/dev/null | grep -q . && return 0
    timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}
TAKEN=" "
pick_port() { # preferred port; scans 18000-18999 from it, at most 1000 tries
    local p=$1 i
    for ((i = 0; i < 1000; i++)); do
        if [[ $TAKEN != *" $p "* ]] && ! port_busy "$p"; then
            TAKEN+="$p "
            echo "$p"
            return 0
        fi
        p=$((p + 1))
        ((p <= 18999)) || p=18000
    done
    die "no free port in 18000-18999"
}
UP_PORT=$(pick_port 18081)
NGX_PORT=$(pick_port 18082)
JETTY_PORT=$(pick_port 18083)
TG_PORT=$(pick_port 18084)
TARGETS=(direct nginx jetty tollgate)
declare -A PORT=([direct]=$UP_PORT [nginx]=$NGX_PORT [jetty]=$JETTY_PORT [tollgate]=$TG_PORT)
declare -A NAME=([direct]="direct upstream (nginx)" [nginx]="nginx reverse proxy"
                 [jetty]="Jetty 12 ProxyServlet" [tollgate]="Tollgate")
log "ports: upstream=$UP_PORT nginx-proxy=$NGX_PORT jetty-proxy=$JETTY_PORT tollgate=$TG_PORT"
# Feature variants: routes of the same Tollgate JVM, each with its own path prefix (the upstream answers any path).
FTARGETS=()
declare -A PATH_OF=() AUTH_OF=()
if ((FEATURES)); then
    REDIS_PORT=$(pick_port 18085)
    # tg-unguarded right after tg-plain: the rounds rotate this order, so the two always run back to back
    # tg-noauth right before tg-auth: the same request (token included) with auth off, then on
    FTARGETS=(tg-plain tg-unguarded tg-noauth tg-auth tg-limited tg-limited-tb tg-consul)
    for t in "${FTARGETS[@]}"; do PORT[$t]=$TG_PORT; PATH_OF[$t]=/${t#tg-}$BENCH_PATH; done
    NAME+=([tg-plain]="plain route (no auth, no limit, static)" [tg-unguarded]="resilience guard off (otherwise plain)"
           [tg-noauth]="auth off, the same token sent (otherwise plain)"
           [tg-auth]="auth: JWT RS256, level-1 hit"
           [tg-limited]="rate limit: redis, sliding window" [tg-limited-tb]="rate limit: redis, token bucket"
           [tg-consul]="discovery: Consul (FakeConsul)")
    log "feature routes on tollgate: ${FTARGETS[*]}; redis-server port $REDIS_PORT"
fi

wait_http() { # port, seconds
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        curl -s -o /dev/null -m 2 "http://127.0.0.1:$1$BENCH_PATH" && return 0
        sleep 0.3
    done
    return 1
}

# ---------------------------------------------------------------- 2a. nginx: upstream and reverse proxy
# Two private nginx instances, one worker each, so the proxy never shares its worker with the upstream.
# keepalive_requests is raised everywhere: Jetty and Tollgate never close a keep-alive connection after N
# requests, so nginx's default (1000) would make the nginx targets reconnect where the JVMs do not.
nginx_conf() { # dir, http-block body
    mkdir -p "$1/tmp"
    cat >"$1/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type text/plain;
    keepalive_requests 100000000;
    keepalive_timeout 75s;
    client_body_temp_path $1/tmp/client_body;
    proxy_temp_path $1/tmp/proxy;
    fastcgi_temp_path $1/tmp/fastcgi;
    uwsgi_temp_path $1/tmp/uwsgi;
    scgi_temp_path $1/tmp/scgi;
$2
}
EOF
}
start_nginx() { # dir, label
    nginx -t -q -e "$1/error.log" -p "$1" -c "$1/nginx.conf" || die "nginx config $1/nginx.conf invalid"
    nginx -e "$1/error.log" -p "$1" -c "$1/nginx.conf" >"$1/stdout.log" 2>&1 &
    NGINX_PIDS+=($!)
    eval "$2_PID=$!"
}
nginx_conf "$RUN/nginx-upstream" "
    server {
        listen 127.0.0.1:$UP_PORT;
        location / { return 200 \"hello from upstream\\n\"; }
    }"
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
start_nginx "$RUN/nginx-upstream" UPSTREAM_NGINX
start_nginx "$RUN/nginx-proxy" PROXY_NGINX
wait_http "$UP_PORT" 15 || die "nginx upstream did not answer on $UP_PORT (see $RUN/nginx-upstream/error.log)"
wait_http "$NGX_PORT" 15 || die "nginx proxy did not answer on $NGX_PORT (see $RUN/nginx-proxy/error.log)"

# ---------------------------------------------------------------- 2b. the two JVMs
cat >"$RUN/tollgate-bench.properties" <<EOF
# Written by bench/run.sh: everything goes to the nginx upstream.
gateway.services.bench.instances = http://127.0.0.1:$UP_PORT
gateway.routes.all.path = /**
gateway.routes.all.service = bench
EOF
if ((FEATURES)); then
    mkdir -p "$RUN/redis"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$RUN/redis" \
        >"$RUN/redis/redis.log" 2>&1 &
    EXTRA_PIDS+=($!)
    REDIS_PID=$!
    deadline=$((SECONDS + 15))
    until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "redis-server did not start (see $RUN/redis/redis.log)"
        sleep 0.2
    done
    "$JAVA" -cp "$CP" dev.tollgate.bench.FeatureFixturesMain "$UP_PORT" "$RUN/features" >"$RUN/fixtures.log" 2>&1 &
    EXTRA_PIDS+=($!)
    FIXTURES_PID=$!
    deadline=$((SECONDS + 60))
    until grep -q '^READY' "$RUN/fixtures.log"; do
        kill -0 "$FIXTURES_PID" 2>/dev/null && ((SECONDS < deadline)) || die "FeatureFixturesMain did not start (see $RUN/fixtures.log)"
        sleep 0.3
    done
    log "$(grep '^READY' "$RUN/fixtures.log")"
    AUTH_OF[tg-auth]="Authorization: Bearer $(cat "$RUN/features/token.txt")"
    AUTH_OF[tg-noauth]=${AUTH_OF[tg-auth]}
    cat "$RUN/features/features.properties" >>"$RUN/tollgate-bench.properties"
    cat >>"$RUN/tollgate-bench.properties" <<EOF
# Feature variants (FEATURES=1); the upstream is the same nginx for all of them.
gateway.redis.uri = redis://127.0.0.1:$REDIS_PORT
gateway.rate-limit.policy = redis
gateway.rate-limit.rules.never.limit = 100000
gateway.rate-limit.rules.never.window = 1s
gateway.rate-limit.rules.never.key = ip
gateway.rate-limit.rules.never-tb.algorithm = token-bucket
gateway.rate-limit.rules.never-tb.limit = 1000000000
gateway.rate-limit.rules.never-tb.window = 1s
gateway.rate-limit.rules.never-tb.key = ip
gateway.services.bench-consul.discovery = consul
gateway.services.bench-consul.consul.service = bench-upstream
gateway.services.bench-consul.load-balancer = round-robin
gateway.services.bench.resilience.enabled = true
gateway.services.bench-unguarded.instances = http://127.0.0.1:$UP_PORT
gateway.services.bench-unguarded.resilience.enabled = false
gateway.routes.plain.path = /plain/**
gateway.routes.plain.service = bench
gateway.routes.unguarded.path = /unguarded/**
gateway.routes.unguarded.service = bench-unguarded
gateway.routes.noauth.path = /noauth/**
gateway.routes.noauth.service = bench
gateway.routes.noauth.auth = none
gateway.routes.auth.path = /auth/**
gateway.routes.auth.service = bench
gateway.routes.auth.auth = jwt
gateway.routes.limited.path = /limited/**
gateway.routes.limited.service = bench
gateway.routes.limited.rate-limit = never
gateway.routes.limited-tb.path = /limited-tb/**
gateway.routes.limited-tb.service = bench
gateway.routes.limited-tb.rate-limit = never-tb
gateway.routes.consul.path = /consul/**
gateway.routes.consul.service = bench-consul
EOF
fi
start_jvm() { # label, log, main class, args...
    local label=$1 logf=$2 main=$3
    shift 3
    # shellcheck disable=SC2086 # JVM_OPTS is a list of flags
    "$JAVA" $JVM_OPTS -cp "$CP" "$main" "$@" >"$logf" 2>&1 &
    JVM_PIDS+=($!)
    eval "${label}_PID=$!"
}
wait_ready() { # pid, log, seconds
    local deadline=$((SECONDS + $3))
    while ((SECONDS < deadline)); do
        grep -q '^READY' "$2" && return 0
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.3
    done
    return 1
}
log "java: $("$JAVA" -version 2>&1 | head -1); flags: $JVM_OPTS"
start_jvm JETTY "$RUN/jetty-proxy.log" dev.tollgate.bench.JettyProxyMain "$JETTY_PORT" "http://127.0.0.1:$UP_PORT"
start_jvm TOLLGATE "$RUN/tollgate.log" dev.tollgate.bench.TollgateMain "$TG_PORT" "$WAR" "$RUN/tollgate-bench.properties"
wait_ready "$JETTY_PID" "$RUN/jetty-proxy.log" 90 || { tail -20 "$RUN/jetty-proxy.log" >&2; die "Jetty ProxyServlet did not start"; }
wait_ready "$TOLLGATE_PID" "$RUN/tollgate.log" 90 || { tail -40 "$RUN/tollgate.log" >&2; die "Tollgate did not start"; }
log "$(grep '^READY' "$RUN/jetty-proxy.log")"
log "$(grep '^READY' "$RUN/tollgate.log")"

# ---------------------------------------------------------------- smoke check: one request per target
SMOKE_OK=1
for t in "${TARGETS[@]}" "${FTARGETS[@]}"; do
    hdr=()
    [[ -n ${AUTH_OF[$t]:-} ]] && hdr=(-H "${AUTH_OF[$t]}")
    code=$(curl -sS -m 5 "${hdr[@]}" -D "$RUN/smoke-$t.headers" -o "$RUN/smoke-$t.body" -w '%{http_code}' \
        "http://127.0.0.1:${PORT[$t]}${PATH_OF[$t]:-$BENCH_PATH}" 2>>"$RUN/run.log") || code=000
    body=$(head -c 80 "$RUN/smoke-$t.body" 2>/dev/null | tr -d '\n' || true)
    log "smoke $t: HTTP $code '$body'"
    [[ $code == 200 && $body == "hello from upstream" ]] || SMOKE_OK=0
done
((SMOKE_OK)) || log "WARNING: a target did not answer 200 'hello from upstream'; measuring anyway (see smoke-* files)"

# ---------------------------------------------------------------- CPU accounting (/proc), per wrk run
HZ=$(getconf CLK_TCK)
pid_ticks() { # sum of utime+stime of the given pids and their direct children (nginx workers)
    local total=0 p c
    for p in "$@"; do
        for c in "$p" $(pgrep -P "$p" 2>/dev/null || true); do
            [[ -r /proc/$c/stat ]] || continue
            total=$((total + $(sed 's/^.*) //' "/proc/$c/stat" | awk '{print $12 + $13}')))
        done
    done
    echo "$total"
}
sys_ticks() { awk '/^cpu /{busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6}' /proc/stat; }
declare -A PIDS_OF=([direct]=$UPSTREAM_NGINX_PID [nginx]=$PROXY_NGINX_PID [jetty]=$JETTY_PID [tollgate]=$TOLLGATE_PID)
for t in "${FTARGETS[@]}"; do PIDS_OF[$t]=$TOLLGATE_PID; done

self_child_ticks() { sed 's/^.*) //' "/proc/$$/stat" | awk '{print $14 + $15}'; } # reaped children: wrk
busy_pct() { # machine busy % over about one second (100 = every CPU busy)
    local b0 a0 b1 a1
    read -r b0 a0 < <(sys_ticks); sleep 1; read -r b1 a1 < <(sys_ticks)
    awk -v b=$((b1 - b0)) -v a=$((a1 - a0)) 'BEGIN { printf "%.0f", a ? b / a * 100 : 0 }'
}
busiest() { # the three busiest processes over half a second, as "pid:command:cpu%"
    top -b -n2 -d0.5 -w 200 2>/dev/null | awk '/^top - / { n++ } n == 2 && $1 ~ /^[0-9]+$/ && c < 3 { printf "%s:%s:%s%% ", $1, $12, $9; c++ }'
}
wait_quiet() { # before a measured run: wait (at most QUIET_WAIT s) until other work leaves the CPUs
    local deadline=$((SECONDS + QUIET_WAIT)) busy
    busy=$(busy_pct)
    while ((busy > QUIET_MAX && SECONDS < deadline)); do
        log "  machine ${busy}% busy before the run; waiting (at most ${QUIET_WAIT}s in all). Busiest: $(busiest)"
        sleep 3
        busy=$(busy_pct)
    done
}

# run_wrk target seconds outfile -> sets, in % of one CPU: LAST_CPU (target), LAST_UP_CPU (upstream nginx),
# LAST_WRK (wrk), LAST_OTHER (everything else on the machine), LAST_SYS (machine busy, up to nproc x 100)
run_wrk() {
    local t=$1 secs=$2 outf=$3 rc=0
    local t0 u0 w0 s0 e0 t1 u1 w1 s1 e1
    kill -0 "${PIDS_OF[$t]}" 2>/dev/null || die "$t (pid ${PIDS_OF[$t]}) is not running"
    t0=$(pid_ticks "${PIDS_OF[$t]}"); u0=$(pid_ticks "$UPSTREAM_NGINX_PID"); w0=$(self_child_ticks)
    read -r s0 e0 < <(sys_ticks)
    local start=$EPOCHREALTIME hdr=()
    [[ -n ${AUTH_OF[$t]:-} ]] && hdr=(-H "${AUTH_OF[$t]}")
    timeout -k 5 $((secs + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --latency "${hdr[@]}" \
        "http://127.0.0.1:${PORT[$t]}${PATH_OF[$t]:-$BENCH_PATH}" >"$outf" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || rc=$?
    WRK_PID=
    local el
    el=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN{print b - a}')
    read -r s1 e1 < <(sys_ticks)
    t1=$(pid_ticks "${PIDS_OF[$t]}"); u1=$(pid_ticks "$UPSTREAM_NGINX_PID"); w1=$(self_child_ticks)
    ((rc == 0)) || echo "wrk exit status $rc" >>"$outf"
    pct() { awk -v d="$1" -v hz="$HZ" -v el="$el" 'BEGIN { printf "%.0f", d / hz / el * 100 }'; }
    LAST_CPU=$(pct $((t1 - t0)))
    LAST_UP_CPU=$(pct $((u1 - u0)))
    LAST_WRK=$(pct $((w1 - w0)))
    LAST_SYS=$(pct $((s1 - s0)))
    local up=$LAST_UP_CPU
    [[ $t == direct ]] && up=0
    LAST_OTHER=$((LAST_SYS - LAST_CPU - up - LAST_WRK))
    ((LAST_OTHER > 0)) || LAST_OTHER=0
}

# parse_wrk file -> "rps p50_ms p99_ms requests socket_errors non2xx"
parse_wrk() {
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
            if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
            if (v ~ /h$/)  return substr(v, 1, length(v) - 1) * 3600000
            return v + 0
        }
        BEGIN { rps = "NA"; p50 = "NA"; p99 = "NA"; n = 0; errs = 0; non2xx = 0 }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        / requests in / { n = $1 }
        /Socket errors:/ { gsub(",", ""); errs = $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { non2xx = $5 }
        END { print rps, p50, p99, n, errs, non2xx }
    ' "$1"
}

# ---------------------------------------------------------------- 3. warm-up: JVM targets, alternating slices
log "warm-up: ${WARMUP}s per JVM target in slices of ${SLICE}s (jetty, tollgate alternating)"
declare -A WARM=([jetty]=0 [tollgate]=0)
slice_no=0
while ((WARM[jetty] < WARMUP || WARM[tollgate] < WARMUP)); do
    for t in jetty tollgate; do
        left=$((WARMUP - WARM[$t]))
        ((left > 0)) || continue
        s=$((left < SLICE ? left : SLICE))
        slice_no=$((slice_no + 1))
        run_wrk "$t" "$s" "$RUN/warmup/$(printf '%02d' $slice_no)-$t.txt"
        read -r rps _ p99 _ errs non2xx < <(parse_wrk "$RUN/warmup/$(printf '%02d' $slice_no)-$t.txt")
        log "  warm-up $t ${s}s: ${rps} req/s, p99 ${p99} ms, cpu ${LAST_CPU}%, errors ${errs}, non-2xx ${non2xx}"
        WARM[$t]=$((WARM[$t] + s))
    done
done

for t in "${FTARGETS[@]}"; do
    ((FEATURE_WARMUP > 0)) || break
    slice_no=$((slice_no + 1))
    f="$RUN/warmup/$(printf '%02d' $slice_no)-$t.txt"
    run_wrk "$t" "$FEATURE_WARMUP" "$f"
    read -r rps _ p99 _ errs non2xx < <(parse_wrk "$f")
    log "  warm-up $t ${FEATURE_WARMUP}s: ${rps} req/s, p99 ${p99} ms, cpu ${LAST_CPU}%, errors ${errs}, non-2xx ${non2xx}"
done
((FEATURES)) && redis-cli -p "$REDIS_PORT" config resetstat >/dev/null

# ---------------------------------------------------------------- 4. measure: ROUNDS interleaved rounds
echo "round,target,rps,p50_ms,p99_ms,requests,socket_errors,non2xx,target_cpu_pct,upstream_cpu_pct,wrk_cpu_pct,other_cpu_pct,machine_cpu_pct" >"$CSV"
ALL=("${TARGETS[@]}" "${FTARGETS[@]}")
log "measuring: $ROUNDS round(s) x ${#ALL[@]} targets x ${DURATION}s, wrk -t$THREADS -c$CONNECTIONS --latency"
for ((r = 0; r < ROUNDS; r++)); do
    for ((i = 0; i < ${#ALL[@]}; i++)); do
        t=${ALL[$(((i + r) % ${#ALL[@]}))]}
        sleep "$PAUSE"
        wait_quiet
        f="$RUN/wrk/round$((r + 1))-$t.txt"
        run_wrk "$t" "$DURATION" "$f"
        read -r rps p50 p99 n errs non2xx < <(parse_wrk "$f")
        echo "$((r + 1)),$t,$rps,$p50,$p99,$n,$errs,$non2xx,$LAST_CPU,$LAST_UP_CPU,$LAST_WRK,$LAST_OTHER,$LAST_SYS" >>"$CSV"
        log "  round $((r + 1)) $t: $rps req/s, p50 $p50 ms, p99 $p99 ms, socket errors $errs, non-2xx $non2xx;" \
            "CPU % target $LAST_CPU upstream $LAST_UP_CPU wrk $LAST_WRK other $LAST_OTHER machine $LAST_SYS"
    done
done

# ---------------------------------------------------------------- 5. report
median() { # target column -> median over rounds
    awk -F, -v t="$1" -v c="$2" 'NR > 1 && $2 == t && $c != "NA" { print $c }' "$CSV" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
total() { awk -F, -v t="$1" -v c="$2" 'NR > 1 && $2 == t { s += $c } END { print s + 0 }' "$CSV"; }
ratio() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "n/a"; else printf f, a / b }'; }
declare -A RPS P50 P99 CPU WRKC OTHER ERR NON
for t in "${TARGETS[@]}" "${FTARGETS[@]}"; do
    RPS[$t]=$(median "$t" 3); P50[$t]=$(median "$t" 4); P99[$t]=$(median "$t" 5)
    CPU[$t]=$(median "$t" 9); WRKC[$t]=$(median "$t" 11); OTHER[$t]=$(median "$t" 12)
    ERR[$t]=$(total "$t" 7); NON[$t]=$(total "$t" 8)
done
MAX_OTHER=$(awk -F, 'NR > 1 && $12 > m { m = $12 } END { print m + 0 }' "$CSV")
{
    echo "## Tollgate benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- machine: $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)); wrk, the upstream and the target share them"
    echo "- java: $("$JAVA" -version 2>&1 | head -1), flags \`$JVM_OPTS\`; $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
    echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency\` GET $BENCH_PATH; warm-up ${WARMUP}s per JVM; $ROUNDS round(s), medians shown"
    echo
    echo "| target | req/s | p50 ms | p99 ms | target CPU % | wrk CPU % | other CPU % | socket errors | non-2xx |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for t in "${TARGETS[@]}"; do
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${NAME[$t]}" \
            "$(awk -v v="${RPS[$t]}" 'BEGIN { if (v == "NA") print v; else printf "%.0f", v }')" \
            "$(awk -v v="${P50[$t]}" 'BEGIN { if (v == "NA") print v; else printf "%.2f", v }')" \
            "$(awk -v v="${P99[$t]}" 'BEGIN { if (v == "NA") print v; else printf "%.2f", v }')" \
            "${CPU[$t]}" "${WRKC[$t]}" "${OTHER[$t]}" "${ERR[$t]}" "${NON[$t]}"
    done
    echo
    echo "Tollgate throughput: $(ratio "${RPS[tollgate]}" "${RPS[direct]}" '%.2f') x direct," \
        "$(ratio "${RPS[tollgate]}" "${RPS[nginx]}" '%.2f') x nginx," \
        "$(ratio "${RPS[tollgate]}" "${RPS[jetty]}" '%.2f') x Jetty ProxyServlet;" \
        "Tollgate p99 = $(ratio "${P99[tollgate]}" "${P99[nginx]}" '%.2f') x nginx p99."
    echo
    echo "CPU % = CPU time / wall time, 100 = one CPU (this machine has $(nproc)). target: the proxy under test" \
        "(for direct, the upstream nginx); other: the rest of the machine (the upstream nginx excluded)."
    if ((MAX_OTHER > 15)); then
        echo
        echo "**Note: other processes used up to ${MAX_OTHER}% CPU during a measured run; those numbers are disturbed**" \
            "(see other_cpu_pct in results.csv)."
    fi
    if ((ERR[tollgate] + NON[tollgate] > 0)) || ((SMOKE_OK == 0)); then
        echo
        echo "**WARNING: Tollgate answered errors during the benchmark** (socket errors ${ERR[tollgate]}," \
            "non-2xx ${NON[tollgate]}, smoke check ok=$SMOKE_OK); see $RUN/tollgate.log and $RUN/wrk/."
    fi
} >"$TABLE"
((FEATURES)) && . "$ROOT/bench/features.sh"
cp "$TABLE" "$OUT/results.md"
echo
cat "$TABLE"
echo
log "raw wrk output: $RUN/wrk/  per-run numbers: $CSV  table: $TABLE (copied to $OUT/results.md)"
if grep -Eq ' (WARN|ERROR) ' "$RUN/tollgate.log"; then
    log "Tollgate logged $(grep -Ec ' (WARN|ERROR) ' "$RUN/tollgate.log") WARN/ERROR line(s); first ones:"
    grep -E ' (WARN|ERROR) ' "$RUN/tollgate.log" | head -5 >&2
fi
