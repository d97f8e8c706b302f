# shellcheck shell=bash
# Sourced by bench/run.sh (FEATURES=1) after bench/report.sh: the feature variants' table with their ratios to
# the plain Tollgate route of the same run, and the in-process harness (dev.tollgate.bench.FeatureCostMain).
# Uses run.sh's and report.sh's variables and functions; not meant to be run on its own.

diff2() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA") print "n/a"; else printf "%+.2f", a - b }'; }
PLAIN_SPREAD=$(awk -F, 'NR > 1 && $2 == "tg-plain@small" { v = $3 + 0; if (min == "" || v < min) min = v; if (v > max) max = v }
    END { if (max > 0) printf "%.0f-%.0f req/s (spread %.1f %% of the max)", min, max, (max - min) / max * 100 }' "$CSV")

log "in-process harness: dev.tollgate.bench.FeatureCostMain (auth caches, instance selection, guard)"
HARNESS_OK=1
# shellcheck disable=SC2086 # JVM_OPTS is a list of flags
"$JAVA" $JVM_OPTS -cp "$CP" dev.tollgate.bench.FeatureCostMain "$RUN/feature-costs.md" >"$RUN/feature-costs.log" 2>&1 ||
    { HARNESS_OK=0; log "FeatureCostMain failed; see $RUN/feature-costs.log"; }

{
    echo
    echo "### Feature variants on /small (routes of the same Tollgate JVM, interleaved with the peers above)"
    echo
    echo "| variant | path | req/s | p50 ms | p99 ms | req/s vs plain | p50 added ms | p99 added ms | CPU µs/req | vol. ctx switches/req | other CPU % | socket errors | non-2xx |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    p="tg-plain@small"
    for t in tg-plain "${FTARGETS[@]}"; do
        c="$t@small"
        printf '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${NAME[$t]}" "${PREFIX[$t]}/small" \
            "$(fmt "$(med "$c" 3)" %.0f)" "$(fmt "$(med "$c" 4)" %.2f)" "$(fmt "$(med "$c" 5)" %.2f)" \
            "$(ratio "$(med "$c" 3)" "$(med "$p" 3)" %.2f)" "$(diff2 "$(med "$c" 4)" "$(med "$p" 4)")" \
            "$(diff2 "$(med "$c" 5)" "$(med "$p" 5)")" "$(fmt "$(med "$c" 9)" %.1f)" "$(fmt "$(med "$c" 10)" %.2f)" \
            "$(med "$c" 15)" "$(tot "$c" 7)" "$(tot "$c" 8)"
    done
    echo
    echo "- auth on vs off, the same request with its token (auth/noauth): $(goal '' tg-auth@small tg-noauth@small 3 ge 0.85)"
    echo "- for reference, auth on vs the plain route without a token (auth/plain):" \
        "$(ratio "$(med tg-auth@small 3)" "$(med tg-plain@small 3)" %.2f)"
    echo "- guard on (plain) vs guard off (unguarded): $(goal '' tg-plain@small tg-unguarded@small 3 ge 0.97)"
    echo "- rate limit, sliding window, by ip (never rejects) / plain: $(goal '' tg-limited@small tg-plain@small 3 ge 0.80)"
    echo "- rate limit, token bucket, by ip (never rejects) / plain: $(goal '' tg-limited-tb@small tg-plain@small 3 ge 0.80)"
    echo "- Consul discovery / plain (static): $(ratio "$(med tg-consul@small 3)" "$(med tg-plain@small 3)" %.2f);" \
        "for noise, the plain route's own rounds: ${PLAIN_SPREAD:-n/a}"
    echo "- The token cache policy is \`redis\` for the whole JVM (the full chain needs it), so \`tg-auth\` is a" \
        "level-1 hit with the revocation replica synced. The two limited routes run with the default batching and" \
        "prefetch; wrk's clients share one address, so they are one busy client to the gateway."
    echo "- Other CPU % includes redis-server (limited routes) and the FakeConsul JVM."
    echo
    echo "### In-process costs (one thread, \`FeatureCostMain\`, median of 5 batches after warm-up)"
    echo
    if ((HARNESS_OK)); then cat "$RUN/feature-costs.md"; else echo "FeatureCostMain failed: see feature-costs.log"; fi
} >>"$TABLE"
