# shellcheck shell=bash
# Sourced by bench/run.sh (FEATURES=1) after the main table: the feature variants' table with their ratios to the
# plain Tollgate route of the same run, Redis commands per rate-limited request, and the in-process harness
# (dev.tollgate.bench.FeatureCostMain). Uses run.sh's variables and functions; not meant to be run on its own.

fmt0() { awk -v v="$1" 'BEGIN { if (v == "NA") print v; else printf "%.0f", v }'; }
fmt2() { awk -v v="$1" 'BEGIN { if (v == "NA") print v; else printf "%.2f", v }'; }
diff2() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA") print "n/a"; else printf "%+.2f", a - b }'; }
# goal_line label variant minimum-ratio [baseline variant, default tg-plain]: req/s of variant / req/s of baseline
goal_line() {
    local base=${4:-tg-plain}
    awk -v l="$1" -v a="${RPS[$2]}" -v b="${RPS[$base]}" -v g="$3" -v bn="the ${base#tg-} route" 'BEGIN {
        if (a == "NA" || b == "NA" || b == 0) { print "- " l ": n/a"; exit }
        r = a / b
        printf "- %s: %.2f x %s (goal >= %.2f: %s)\n", l, r, bn, g, (r >= g ? "met" : sprintf("not met, %.0f points short", (g - r) * 100))
    }'
}

# per_round a b: the ratio a/b in each round (the variants run back to back within a round), and their median
per_round() {
    awk -F, -v a="$1" -v b="$2" 'NR > 1 && $2 == a { x[$1] = $3 } NR > 1 && $2 == b { y[$1] = $3 }
        END { n = 0; for (r in x) if (r in y && y[r] > 0) { v[++n] = x[r] / y[r] }
              if (n == 0) { print "n/a"; exit }
              for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
              s = ""; for (i = 1; i <= n; i++) s = s sprintf("%s%.2f", (i > 1 ? ", " : ""), v[i])
              printf "per round (sorted) %s, median %.2f", s, (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) }' "$CSV"
}

# Redis commands during the measured rounds (stats were reset after the warm-up) per rate-limited request.
LIMITED_REQS=$(($(total tg-limited 6) + $(total tg-limited-tb 6)))
redis-cli -p "$REDIS_PORT" info commandstats >"$RUN/redis/commandstats.txt" 2>&1 || true
EVALSHA_CALLS=$(awk -F'[:=,]' '/^cmdstat_evalsha:/ { print $3 }' "$RUN/redis/commandstats.txt")
ALL_CALLS=$(awk -F'[:=,]' '/^cmdstat_/ { s += $3 } END { print s + 0 }' "$RUN/redis/commandstats.txt")
PLAIN_SPREAD=$(awk -F, 'NR > 1 && $2 == "tg-plain" { v = $3 + 0; if (min == "" || v < min) min = v; if (v > max) max = v }
    END { if (max > 0) printf "%.0f-%.0f req/s (spread %.1f %% of the max)", min, max, (max - min) / max * 100 }' "$CSV")

log "in-process harness: dev.tollgate.bench.FeatureCostMain (auth caches, instance selection, guard)"
HARNESS_OK=1
# shellcheck disable=SC2086 # JVM_OPTS is a list of flags
"$JAVA" $JVM_OPTS -cp "$CP" dev.tollgate.bench.FeatureCostMain "$RUN/feature-costs.md" >"$RUN/feature-costs.log" 2>&1 ||
    { HARNESS_OK=0; log "FeatureCostMain failed; see $RUN/feature-costs.log"; }

{
    echo
    echo "### Feature variants (routes of the same Tollgate JVM, same run, interleaved with the targets above)"
    echo
    echo "| variant | path | req/s | p50 ms | p99 ms | req/s vs plain | p50 added ms | p99 added ms | Tollgate CPU % | other CPU % | socket errors | non-2xx |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for t in "${FTARGETS[@]}"; do
        printf '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${NAME[$t]}" "${PATH_OF[$t]}" \
            "$(fmt0 "${RPS[$t]}")" "$(fmt2 "${P50[$t]}")" "$(fmt2 "${P99[$t]}")" \
            "$(ratio "${RPS[$t]}" "${RPS[tg-plain]}" '%.2f')" "$(diff2 "${P50[$t]}" "${P50[tg-plain]}")" \
            "$(diff2 "${P99[$t]}" "${P99[tg-plain]}")" "${CPU[$t]}" "${OTHER[$t]}" "${ERR[$t]}" "${NON[$t]}"
    done
    echo
    goal_line "auth on vs off, the same request with its token (auth/noauth)" tg-auth 0.85 tg-noauth
    echo "  - auth/noauth $(per_round tg-auth tg-noauth)"
    echo "- for reference, auth on vs the plain route without a token (auth/plain, the token's bytes included):" \
        "$(ratio "${RPS[tg-auth]}" "${RPS[tg-plain]}" '%.2f')"
    goal_line "guard on (plain route) vs guard off (unguarded route), plain/unguarded" tg-plain 0.97 tg-unguarded
    echo "  - plain/unguarded $(per_round tg-plain tg-unguarded)"
    goal_line "rate limit, redis policy, sliding window (never rejects)" tg-limited 0.80
    echo "  - limited/plain $(per_round tg-limited tg-plain)"
    goal_line "rate limit, redis policy, token bucket (never rejects)" tg-limited-tb 0.80
    echo "  - limited-tb/plain $(per_round tg-limited-tb tg-plain)"
    echo "- Consul discovery: $(ratio "${RPS[tg-consul]}" "${RPS[tg-plain]}" '%.2f') x the plain (static) route;" \
        "for noise, the plain route's own rounds: ${PLAIN_SPREAD:-n/a}"
    echo "- Redis during the measured rounds: ${EVALSHA_CALLS:-0} EVALSHA and ${ALL_CALLS} commands in all for" \
        "${LIMITED_REQS} rate-limited requests ($(ratio "${EVALSHA_CALLS:-0}" "$LIMITED_REQS" '%.3f') EVALSHA," \
        "$(ratio "$ALL_CALLS" "$LIMITED_REQS" '%.3f') commands per request: commandstats also counts the commands the" \
        "script runs inside Redis (TIME, ZADD, HSET, ...), which are no round trips; see redis/commandstats.txt)"
    echo "- Other CPU % includes redis-server (limited routes) and the FakeConsul JVM."
    echo
    echo "### In-process costs (one thread, \`FeatureCostMain\`, median of 5 batches after warm-up)"
    echo
    if ((HARNESS_OK)); then cat "$RUN/feature-costs.md"; else echo "FeatureCostMain failed: see feature-costs.log"; fi
} >>"$TABLE"
