# shellcheck shell=bash
# Sourced by bench/run.sh after the measured rounds: the main table (every peer on /small and /large, medians
# over the rounds), the goal lines and the Redis calls per request, written to $TABLE. Uses run.sh's variables.

med() { awk -F, -v c="$1" -v k="$2" 'NR > 1 && $2 == c && $k != "NA" { print $k }' "$CSV" | median_of; } # case column
tot() { awk -F, -v c="$1" -v k="$2" 'NR > 1 && $2 == c { s += $k } END { print s + 0 }' "$CSV"; }
# per_round a b column: a/b in each round (sorted), for the noise behind a ratio of medians
per_round() {
    awk -F, -v a="$1" -v b="$2" -v k="${3:-3}" 'NR > 1 && $2 == a { x[$1] = $k } NR > 1 && $2 == b { y[$1] = $k }
        END { n = 0; for (r in x) if (r in y && y[r] > 0 && x[r] != "NA") v[++n] = x[r] / y[r]
              for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
              s = ""; for (i = 1; i <= n; i++) s = s sprintf("%s%.2f", (i > 1 ? ", " : ""), v[i])
              print (n ? s : "n/a") }' "$CSV"
}
# goal label a b column ge|le goal: "label a/b = r (per round ...; goal >= g: met)", for a and b cases
goal() {
    local r
    r=$(ratio "$(med "$2" "$4")" "$(med "$3" "$4")" '%.2f')
    awk -v l="$1" -v r="$r" -v op="$5" -v g="$6" -v pr="$(per_round "$2" "$3" "$4")" 'BEGIN {
        if (r == "n/a") { printf "%s n/a", l; exit }
        ok = (op == "ge") ? (r + 0 >= g) : (r + 0 <= g)
        printf "%s **%.2f** (per round %s; goal %s %.2f: %s)", l, r, pr, (op == "ge" ? ">=" : "<="), g, (ok ? "met" : "NOT met") }'
}
both() { # label a b column op goal: the goal line for /small and /large
    echo "- $1: $(goal /small "$2@small" "$3@small" "$4" "$5" "$6"); $(goal /large "$2@large" "$3@large" "$4" "$5" "$6")"
}
vs() { # a b column format: "a-value vs b-value" on /small and /large
    local s
    for s in small large; do
        printf '/%s %s vs %s; ' "$s" "$(fmt "$(med "$1@$s" "$3")" "$4")" "$(fmt "$(med "$2@$s" "$3")" "$4")"
    done
}

MAX_OTHER=$(awk -F, 'NR > 1 && $15 > m { m = $15 } END { print m + 0 }' "$CSV")
BAD=$(awk -F, 'NR > 1 && $2 !~ /^(direct|nginx)@/ && ($7 + $8) > 0 { printf "%s%s", (n++ ? ", " : ""), $2 }' "$CSV")
REDIS_REQS=$(awk -F, 'NR > 1 && ($2 ~ /-full@/ || $2 ~ /^tg-limited/) { s += $6 } END { print s + 0 }' "$CSV")
EVALSHA_CALLS=$(awk -F'[:=,]' '/^cmdstat_evalsha:/ { print $3 }' "$RUN/redis/commandstats.txt")
ALL_CALLS=$(awk -F'[:=,]' '/^cmdstat_/ && !/^cmdstat_(config|info|ping|quit)/ { s += $3 } END { print s + 0 }' "$RUN/redis/commandstats.txt")
{
    echo "## Tollgate benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); wrk, the upstream and the target share them"
    echo "- java: $("$JAVA" -version 2>&1 | head -1), flags \`$JVM_OPTS\`; $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | awk '{ print $1, $2 }'); redis-server $("${REDIS_BIN:-${REDIS_SERVER:-redis-server}}" --version | awk '{ print $3 }')"
    echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency\` against one nginx upstream; /small = \`hello from upstream\\n\`, /large = $LARGE_BYTES bytes; ${WARMUP}s of warm-up (all JVMs at once); $ROUNDS interleaved round(s), medians shown"
    for x in "${JVMS[@]}"; do
        [[ $x == jetty || $x == tollgate ]] || echo "- extra Tollgate \`$x\`: ${JVM_WAR[$x]}, $("${JVM_JAVA[$x]}" -version 2>&1 | head -1), ${JVM_MODE[$x]} threads"
    done
    echo
    echo "| peer | answer | req/s | p50 ms | p99 ms | CPU µs/req | vol. ctx switches/req | threads | target CPU % | other CPU % | socket errors | non-2xx |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for t in "${TARGETS[@]}" "${XTARGETS[@]}"; do
        for a in small large; do
            c="$t@$a"
            printf '| %s | /%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${NAME[$t]}" "$a" \
                "$(fmt "$(med "$c" 3)" %.0f)" "$(fmt "$(med "$c" 4)" %.2f)" "$(fmt "$(med "$c" 5)" %.2f)" \
                "$(fmt "$(med "$c" 9)" %.1f)" "$(fmt "$(med "$c" 10)" %.2f)" "$(med "$c" 11)" \
                "$(med "$c" 12)" "$(med "$c" 15)" "$(tot "$c" 7)" "$(tot "$c" 8)"
        done
    done
    echo
    echo "### Goal lines (ratios of the medians of this run)"
    echo
    both "Tollgate plain / Jetty ProxyServlet, req/s" tg-plain jetty 3 ge 1.00
    both "Tollgate plain / Jetty, CPU µs per request" tg-plain jetty 9 le 1.00
    echo "  - CPU µs/req, plain vs Jetty: $(vs tg-plain jetty 9 %.1f)"
    both "Tollgate plain / Jetty, p99" tg-plain jetty 5 le 1.00
    echo "  - p99 ms, plain vs Jetty: $(vs tg-plain jetty 5 %.2f)"
    both "full chain / plain, req/s" tg-full tg-plain 3 ge 0.85
    echo "  - CPU µs/req, full vs plain: $(vs tg-full tg-plain 9 %.1f)"
    for x in "${XTARGETS[@]}"; do
        if [[ $x == *-full ]]; then
            both "\`$x\` / \`${x%-full}\` (its plain route), req/s" "$x" "${x%-full}" 3 ge 0.85
        else
            echo "- \`$x\` / Jetty, req/s: /small $(ratio "$(med "$x@small" 3)" "$(med jetty@small 3)" %.2f)," \
                "/large $(ratio "$(med "$x@large" 3)" "$(med jetty@large 3)" %.2f);" \
                "\`$x\` / Tollgate plain, req/s: /small $(ratio "$(med "$x@small" 3)" "$(med tg-plain@small 3)" %.2f)," \
                "/large $(ratio "$(med "$x@large" 3)" "$(med tg-plain@large 3)" %.2f)"
            echo "  - CPU µs/req, \`$x\` vs Tollgate plain: $(vs "$x" tg-plain 9 %.1f)"
            echo "  - p99 ms, \`$x\` vs Tollgate plain: $(vs "$x" tg-plain 5 %.2f)"
        fi
    done
    echo "- Redis during the measured rounds: ${EVALSHA_CALLS:-0} EVALSHA, $ALL_CALLS commands in all (the" \
        "script's own CONFIG/INFO left out) for $REDIS_REQS requests on rate-limited routes:" \
        "$(ratio "${EVALSHA_CALLS:-0}" "$REDIS_REQS" %.3f) EVALSHA and $(ratio "$ALL_CALLS" "$REDIS_REQS" %.3f)" \
        "commands per request (commandstats also counts the commands a script runs inside Redis; redis/commandstats.txt)"
    echo
    echo "Method: CPU µs/req = the target process's utime + stime (/proc/<pid>/stat, every thread, also threads" \
        "that ended) during the wrk run / the requests wrk completed. Voluntary context switches/req = the sum over" \
        "the process's threads (/proc/<pid>/task/*/status, sampled at the start, every ${SAMPLE_SECS:-1} s and at the" \
        "end, so a thread that ends is counted up to its last sample) / requests. threads = the most seen in" \
        "/proc/<pid>/status during the run. For direct and nginx the target is the nginx worker process. CPU % =" \
        "CPU time / wall time, 100 = one CPU; other = the rest of the machine (the upstream worker and wrk excluded)."
    if ((MAX_OTHER > 15)); then
        echo
        echo "**Note: other processes used up to ${MAX_OTHER}% CPU during a measured run; those numbers are disturbed**" \
            "(other_cpu_pct in results.csv; redis-server counts there for the full chain)."
    fi
    if [[ -n $BAD ]] || ((SMOKE_OK == 0)); then
        echo
        echo "**WARNING: errors or non-2xx answers during the benchmark** in: ${BAD:-none} (smoke check ok=$SMOKE_OK);" \
            "see the JVM logs and $RUN/wrk/."
    fi
} >"$TABLE"
