# shellcheck shell=bash
# Shared by bench/run.sh, bench/stuck.sh and bench/profile.sh (sourced, never run on its own): the run directory
# and log, clean-up of everything a script starts, tools and build, free ports, nginx, JVMs, redis-server over
# RESP, wrk output parsing, and the per-process accounting read from /proc. See bench/README.md.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$BENCH_ROOT/bench/out"
export PATH="$PATH:/usr/sbin:/sbin"
HZ=$(getconf CLK_TCK)

# bench_init <name>: creates bench/out/<name>-<date>-<time>/ (RUN) and points bench/out/<name>-latest at it
bench_init() {
    RUN="$OUT/$1-$(date +%Y%m%d-%H%M%S)"
    mkdir -p "$RUN"
    ln -sfn "$(basename "$RUN")" "$OUT/$1-latest"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$RUN/run.log" >&2; }
die() { log "FATAL: $*"; exit 1; }
need_uint() { local v; for v in "$@"; do [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"; done; }

# ---------------------------------------------------------------- clean-up: everything started, whatever happens
STARTED=()   # long-running processes (nginx masters, JVMs, redis-server)
TRANSIENT=() # wrk and samplers of the run in progress
bench_cleanup() {
    local rc=$? pid alive deadline
    trap - EXIT INT TERM
    for pid in "${TRANSIENT[@]}" "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    deadline=$((SECONDS + 20))
    while ((SECONDS < deadline)); do
        alive=0
        for pid in "${TRANSIENT[@]}" "${STARTED[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        ((alive)) || break
        sleep 0.5
    done
    for pid in "${TRANSIENT[@]}" "${STARTED[@]}"; do
        kill -0 "$pid" 2>/dev/null && { log "pid $pid did not stop; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
    done
    ((rc == 0)) || log "exited with status $rc; logs in $RUN"
    exit "$rc"
}
forget_transient() { # pid: drop it from TRANSIENT once it has ended
    local keep=() p
    for p in "${TRANSIENT[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    TRANSIENT=("${keep[@]}")
}

# ---------------------------------------------------------------- tools and build
ensure_tools() { # installs nginx / wrk with apt-get when missing; then checks every named tool
    local need=() tool
    command -v nginx >/dev/null 2>&1 || need+=(nginx)
    command -v wrk >/dev/null 2>&1 || need+=(wrk)
    if ((${#need[@]})); then
        local sudo=
        ((EUID == 0)) || sudo=sudo
        log "installing ${need[*]}"
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get install -y "${need[@]}" || { $sudo apt-get update && $sudo apt-get install -y "${need[@]}"; }
    fi
    for tool in nginx wrk curl "$@"; do command -v "$tool" >/dev/null 2>&1 || die "$tool not found"; done
}
# build_war: mvn package (unless SKIP_BUILD=1) and the test classpath; sets WAR and CP
build_war() {
    local mvn=${MVN:-mvn}
    if [[ ${SKIP_BUILD:-0} == 1 ]]; then
        log "SKIP_BUILD=1: reusing target/ and $OUT/classpath.txt"
    else
        log "building the WAR and test classes ($mvn -q -DskipTests package)"
        $mvn -q -DskipTests package
        $mvn -q dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=test
    fi
    WAR=${WAR:-$BENCH_ROOT/target/tollgate.war}
    [[ -f $WAR ]] || die "$WAR missing"
    [[ -f $OUT/classpath.txt ]] || die "$OUT/classpath.txt missing (run without SKIP_BUILD=1)"
    [[ -f $BENCH_ROOT/target/test-classes/dev/tollgate/bench/TollgateMain.class ]] || die "bench launchers not compiled"
    cp "$OUT/classpath.txt" "$RUN/classpath.txt"
    # target/classes only for its logback.xml (the Jetty side logs at INFO, as in DemoMain); a WAR's own classes
    # are loaded from the WAR by the web app class loader.
    CP="$BENCH_ROOT/target/test-classes:$BENCH_ROOT/target/classes:$(cat "$OUT/classpath.txt")"
}

# ---------------------------------------------------------------- ports
port_busy() {
    ss -Htln "sport = :$1" 2>/dev/null | grep -q . && return 0
    timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}
TAKEN=" "
pick_port() { # preferred port; scans 18000-18999 from it. Call as pick_port VAR preferred (no subshell)
    local p=$2 i
    for ((i = 0; i < 1000; i++)); do
        if [[ $TAKEN != *" $p "* ]] && ! port_busy "$p"; then
            TAKEN+="$p "
            printf -v "$1" '%s' "$p"
            return 0
        fi
        p=$((p + 1))
        ((p <= 18999)) || p=18000
    done
    die "no free port in 18000-18999"
}

# ---------------------------------------------------------------- nginx
# nginx_conf dir http-block-body: a private nginx, one worker, no access log, keep-alive never ended by count
# (the JVMs never close a keep-alive connection after N requests; nginx's default of 1000 would make the nginx
# targets reconnect where the JVMs do not).
nginx_conf() {
    mkdir -p "$1/tmp"
    cat >"$1/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 16384;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 8192; }
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
# start_nginx dir VAR: starts it; VAR = the master's pid, VAR_WORKER = its (one) worker's pid
start_nginx() {
    nginx -t -q -e "$1/error.log" -p "$1" -c "$1/nginx.conf" || die "nginx config $1/nginx.conf invalid"
    nginx -e "$1/error.log" -p "$1" -c "$1/nginx.conf" >"$1/stdout.log" 2>&1 &
    local master=$! deadline=$((SECONDS + 15)) w=
    STARTED+=("$master")
    printf -v "$2" '%s' "$master"
    while ((SECONDS < deadline)); do
        w=$(pgrep -P "$master" 2>/dev/null | head -1 || true)
        [[ -n $w ]] && break
        sleep 0.2
    done
    [[ -n $w ]] || die "nginx in $1 started no worker (see $1/error.log)"
    printf -v "$2_WORKER" '%s' "$w"
}
# start_upstream dir port: the upstream nginx. Any path ending in /large: a 16 KiB file (16384 bytes of text);
# anything else: 200 "hello from upstream\n".
LARGE_BYTES=16384
start_upstream() {
    mkdir -p "$1/www"
    awk -v n=$((LARGE_BYTES / 64)) 'BEGIN { for (i = 0; i < n; i++) print "a 16 KiB answer from the upstream, 64 bytes a line, text/plain." }' \
        >"$1/www/large"
    [[ $(stat -c %s "$1/www/large") == "$LARGE_BYTES" ]] || die "could not write $1/www/large"
    nginx_conf "$1" "
    server {
        listen 127.0.0.1:$2 backlog=4096;
        location ~ /large\$ { root $1/www; try_files /large =404; }
        location / { return 200 \"hello from upstream\\n\"; }
    }"
    start_nginx "$1" UPSTREAM_NGINX_PID
}
wait_http() { # url seconds
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        curl -s -o /dev/null -m 2 "$1" && return 0
        sleep 0.3
    done
    return 1
}

# ---------------------------------------------------------------- JVMs
# start_jvm VAR log java main args...: JVM_OPTS flags, the bench classpath; VAR = its pid
start_jvm() {
    local var=$1 logf=$2 java=$3 main=$4
    shift 4
    # shellcheck disable=SC2086 # JVM_OPTS is a list of flags
    "$java" $JVM_OPTS ${JVM_EXTRA:-} -cp "$CP" "$main" "$@" >"$logf" 2>&1 &
    STARTED+=($!)
    printf -v "$var" '%s' "$!"
}
wait_ready() { # pid log seconds: until the log has a line starting with READY
    local deadline=$((SECONDS + $3))
    while ((SECONDS < deadline)); do
        grep -q '^READY' "$2" && return 0
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.3
    done
    return 1
}

# ---------------------------------------------------------------- redis-server, spoken to over RESP (no redis-cli)
# resp port command...: sends one command as a RESP array, then QUIT; prints the raw reply (bulk strings as-is)
resp() {
    local port=$1 arg msg
    shift
    msg="*$#"$'\r\n'
    for arg in "$@"; do msg+="\$${#arg}"$'\r\n'"$arg"$'\r\n'; done
    msg+='*1'$'\r\n''$4'$'\r\n''QUIT'$'\r\n'
    timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1 || exit 1; printf "%s" "$2" >&3; cat <&3' _ "$port" "$msg" |
        tr -d '\r'
}
# redis_bin: sets REDIS_BIN to REDIS_SERVER, else redis-server on the PATH, else the binary the tests run: the one
# the embedded-redis jar on the test class path ships (after build_war), extracted once into bench/out/
redis_bin() {
    [[ -n ${REDIS_BIN:-} ]] && return 0
    if [[ -n ${REDIS_SERVER:-} ]]; then
        command -v "$REDIS_SERVER" >/dev/null 2>&1 || die "REDIS_SERVER=$REDIS_SERVER is not an executable"
        REDIS_BIN=$REDIS_SERVER
        return 0
    fi
    if command -v redis-server >/dev/null 2>&1; then
        REDIS_BIN=redis-server
        return 0
    fi
    local jar name
    jar=$(tr ':' '\n' <"$OUT/classpath.txt" 2>/dev/null | grep '/embedded-redis-[^/]*\.jar$' | head -1)
    case "$(uname -s)/$(uname -m)" in
        Linux/x86_64) name=redis-server-6.2.6-v5-linux-amd64 ;;
        Linux/aarch64) name=redis-server-6.2.7-linux-arm64 ;;
        Darwin/x86_64) name=redis-server-6.2.6-v5-darwin-amd64 ;;
        Darwin/arm64) name=redis-server-6.2.6-v5-darwin-arm64 ;;
        *) name= ;;
    esac
    [[ -n $jar && -n $name ]] ||
        die "redis-server not found: install it or set REDIS_SERVER to a redis-server binary"
    if [[ ! -x $OUT/$name ]]; then
        (cd "$OUT" && "${JAVA%java}jar" xf "$jar" "$name") || die "cannot extract $name from $jar"
        chmod +x "$OUT/$name"
    fi
    REDIS_BIN=$OUT/$name
}
# start_redis dir port: the redis-server of redis_bin, no persistence; waits for PONG
start_redis() {
    local bin deadline
    redis_bin
    bin=$REDIS_BIN
    mkdir -p "$1"
    "$bin" --port "$2" --bind 127.0.0.1 --save '' --appendonly no --dir "$1" >"$1/redis.log" 2>&1 &
    STARTED+=($!)
    REDIS_PID=$!
    deadline=$((SECONDS + 15))
    until resp "$2" PING 2>/dev/null | grep -q '^+PONG'; do
        kill -0 "$REDIS_PID" 2>/dev/null && ((SECONDS < deadline)) || die "redis-server did not start (see $1/redis.log)"
        sleep 0.2
    done
    log "redis-server: $("$bin" --version | awk '{print $3}') on port $2"
}

# ---------------------------------------------------------------- wrk
# parse_wrk file -> "rps p50_ms p99_ms requests socket_errors non2xx timeouts"
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
        BEGIN { rps = "NA"; p50 = "NA"; p99 = "NA"; n = 0; errs = 0; non2xx = 0; tmo = 0 }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        / requests in / { n = $1 }
        /Socket errors:/ { gsub(",", ""); errs = $4 + $6 + $8 + $10; tmo = $10 }
        /Non-2xx or 3xx responses:/ { non2xx = $5 }
        END { print rps, p50, p99, n, errs, non2xx, tmo }
    ' "$1"
}

# ---------------------------------------------------------------- /proc accounting
# CPU: utime + stime of /proc/<pid>/stat, which covers every thread of the process, also threads that ended.
proc_ticks() { [[ -r /proc/$1/stat ]] && sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }' || echo 0; }
self_child_ticks() { sed 's/^.*) //' "/proc/$$/stat" | awk '{ print $14 + $15 }'; } # reaped children: wrk
sys_ticks() { awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat; }
# Voluntary context switches are kept per thread (/proc/<pid>/task/<tid>/status; /proc/<pid>/status shows only
# the main thread's), and a thread that ends takes its count with it. So a sampler reads every thread's count
# at the start, every SAMPLE_SECS during the run and at the end; per thread, its last value minus its value at
# the start (0 for a thread born during the run), summed. A thread that ends loses at most the switches since
# the last sample. The same sampler records the process's thread count (Threads: of /proc/<pid>/status).
ctx_snapshot() { # pid -> "T <threads>" then "<tid> <voluntary switches>" per thread
    awk '/^Threads:/ { print "T", $2 }' "/proc/$1/status" 2>/dev/null || true
    grep -s -H '^voluntary_ctxt_switches' /proc/"$1"/task/*/status | awk -F'[/:\t ]+' '{ print $5, $NF }' || true
}
# sampler_start pid file: first snapshot now (marked S), then one every SAMPLE_SECS in the background
sampler_start() {
    { echo S; ctx_snapshot "$1"; echo E; } >"$2"
    ( while sleep "${SAMPLE_SECS:-1}"; do ctx_snapshot "$1"; done >>"$2" ) &
    SAMPLER_PID=$!
    TRANSIENT+=("$SAMPLER_PID")
}
# sampler_stop pid file -> "<voluntary switches during the run> <max threads>"
sampler_stop() {
    kill -TERM "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    forget_transient "$SAMPLER_PID"
    ctx_snapshot "$1" >>"$2"
    awk '$1 == "S" { start = 1; next } $1 == "E" { start = 0; next }
         $1 == "T" { if ($2 > maxt) maxt = $2; next }
         start { base[$1] = $2; next }
         { if (!($1 in last) || $2 > last[$1]) last[$1] = $2 }
         END { s = 0; for (t in last) s += last[t] - ((t in base) ? base[t] : 0); print s, maxt + 0 }' "$2"
}

busy_pct() { # machine busy % over about one second (100 = every CPU busy)
    local b0 a0 b1 a1
    read -r b0 a0 < <(sys_ticks); sleep 1; read -r b1 a1 < <(sys_ticks)
    awk -v b=$((b1 - b0)) -v a=$((a1 - a0)) 'BEGIN { printf "%.0f", a ? b / a * 100 : 0 }'
}
wait_quiet() { # before a measured run: wait (at most QUIET_WAIT s) while the machine is busier than QUIET_MAX %
    local deadline=$((SECONDS + ${QUIET_WAIT:-60})) busy
    busy=$(busy_pct)
    while ((busy > ${QUIET_MAX:-20} && SECONDS < deadline)); do
        log "  machine ${busy}% busy before the run; waiting (at most ${QUIET_WAIT:-60}s in all)"
        sleep 3
        busy=$(busy_pct)
    done
}
# ---------------------------------------------------------------- numbers
median_of() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { if (a == "NA" || b == "NA" || a == "" || b == "" || b == 0) print "n/a"; else printf f, a / b }'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "NA" || v == "") print "NA"; else printf f, v }'; }
