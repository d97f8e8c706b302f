#!/usr/bin/env bash
# Prints the Tollgate configuration of bench/run.sh (every Tollgate JVM of a run gets the same file).
# Usage: bash bench/config.sh <upstream port> <redis port> <fixtures properties> <features 0|1>
set -Eeuo pipefail
UP=$1 REDIS=$2 FIXTURES=$3 FEATURES=$4
cat <<EOF2
# Written by bench/run.sh: every route goes to the same nginx upstream.
gateway.services.bench.instances = http://127.0.0.1:$UP
gateway.routes.plain.path = /plain/**
gateway.routes.plain.service = bench

# The full chain: RS256 JWT with the redis token cache, a Redis sliding-window limit per principal that never
# rejects at these rates, and the guard (on by default).
gateway.redis.uri = redis://127.0.0.1:$REDIS
gateway.auth.cache = redis
gateway.rate-limit.policy = redis
gateway.rate-limit.rules.per-principal.limit = 100000
gateway.rate-limit.rules.per-principal.window = 1s
gateway.rate-limit.rules.per-principal.key = principal
gateway.routes.full.path = /full/**
gateway.routes.full.service = bench
gateway.routes.full.auth = jwt
gateway.routes.full.rate-limit = per-principal
EOF2
cat "$FIXTURES"
((FEATURES)) || exit 0
cat <<EOF2

# Feature variants (FEATURES=1), each differing from the plain route in one thing.
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
gateway.services.bench-unguarded.instances = http://127.0.0.1:$UP
gateway.services.bench-unguarded.resilience.enabled = false
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
EOF2
