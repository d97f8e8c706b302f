#!/usr/bin/env bash
# Fuzzes the request head with Jazzer (libFuzzer, coverage-guided): the canonical path, the head checks
# (framing, Host, header fields) and bearer-token authentication, each for a set time or number of executions.
# Prints the executions tried and the distinct failures found per target; see bench/README.md, "Fuzzing".
# Usage: bash bench/fuzz.sh   (SECONDS_PER_TARGET=100 by default; TRIES=1000000 to stop each after that many)
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SECONDS_PER_TARGET=${SECONDS_PER_TARGET:-100}  # fuzzing time per target
TRIES=${TRIES:-0}                              # executions per target; 0: no limit but the time
KEEP_GOING=${KEEP_GOING:-20}                   # go on after a failure until this many distinct ones
TARGETS=${TARGETS:-dev.tollgate.route.CanonicalPathFuzzTest#canonicalPath \
dev.tollgate.http.HeadChecksFuzzTest#requestHead dev.tollgate.auth.TokenFuzzTest#bearerToken}
JVM_OPTS=${JVM_OPTS:--Xmx1g}
MVN=${MVN:-mvn}
SKIP_BUILD=${SKIP_BUILD:-0}                    # 1: reuse target/ and the last classpath file

OUT=bench/out/fuzz-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
CLASSPATH_FILE=bench/out/fuzz-classpath.txt
if [[ $SKIP_BUILD != 1 || ! -s $CLASSPATH_FILE ]]; then
    "$MVN" -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CLASSPATH_FILE"
fi
CP="target/test-classes:target/classes:$(cat "$CLASSPATH_FILE")"
LIMITS=(-max_total_time="$SECONDS_PER_TARGET")
if [[ $TRIES != 0 ]]; then
    LIMITS+=(-runs="$TRIES")
fi

printf '%-48s %12s %10s %9s\n' target executions seconds failures
failed=0
for target in $TARGETS; do
    class=${target%%#*} method=${target##*#}
    log="$OUT/$method.log"
    status=0
    # The new corpus entries go to .cifuzz-corpus/<class>/<method> (kept between runs, not committed);
    # a failing input is written to $OUT and, once fixed, belongs in the test's Inputs directory.
    java $JVM_OPTS -cp "$CP" com.code_intelligence.jazzer.Jazzer --target_class="$class" \
        --target_method="$method" --instrumentation_includes='dev.tollgate.**:com.auth0.**' \
        --keep_going="$KEEP_GOING" -artifact_prefix="$OUT/$method-" "${LIMITS[@]}" >"$log" 2>&1 || status=$?
    done_line=$(grep -a -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
    runs=$(sed -E 's/^Done ([0-9]+) runs.*/\1/' <<<"$done_line")
    secs=$(sed -E 's/.* in ([0-9]+) second.*/\1/' <<<"$done_line")
    findings=$(grep -a -c '^== Java Exception' "$log" || true)
    printf '%-48s %12s %10s %9s\n' "$class#$method" "${runs:-?}" "${secs:-?}" "$findings"
    grep -a '^== Java Exception' "$log" | sort | uniq -c | sed 's/^/    /' || true
    if [[ $findings != 0 || ( $status != 0 && -z $done_line ) ]]; then
        failed=1
        [[ -n $done_line ]] || echo "    Jazzer stopped with status $status; see $log"
    fi
done
echo "logs and failing inputs: $OUT"
exit $failed
