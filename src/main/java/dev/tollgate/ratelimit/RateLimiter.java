package dev.tollgate.ratelimit;

import dev.tollgate.auth.Principal;
import dev.tollgate.config.RateLimitConfig;
import dev.tollgate.config.RateLimitRule.FailurePolicy;
import dev.tollgate.config.RateLimitRule;
import dev.tollgate.observability.ManagementBeans;
import dev.tollgate.ratelimit.Decision.RuleStatus;
import dev.tollgate.ratelimit.Decision.Verdict;
import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a request is within its route's rate limits. Every rule of the route that applies to the
 * caller (by role or plan) must have room, and a request rejected by one rule takes nothing from the others.
 * With the policy {@code redis} the buckets live in Redis (one script call per request); while Redis is
 * unavailable each rule follows its failure policy: {@code fail-open}, {@code fail-closed} (503) or
 * {@code local-fallback} (in process, the limit divided by the instance count). The change into and out of
 * that state is logged once each and counted. Thread-safe; built once, closed at shutdown.
 */
public final class RateLimiter implements AutoCloseable {
    public static final String REQUESTS = "tollgate.ratelimit.requests";
    public static final String FALLBACKS = "tollgate.ratelimit.fallbacks";
    public static final String OUTAGES = "tollgate.ratelimit.redis.outages";
    public static final String SCRIPT = "tollgate.ratelimit.redis.script";
    /** Requests served by script calls: divided by the script timer's count, the mean batch size. */
    public static final String REQUESTS_PER_CALL = "tollgate.ratelimit.redis.requests";
    /** Units script calls took ahead for busy clients, and the requests admitted from them without a call. */
    public static final String PREFETCHED = "tollgate.ratelimit.redis.prefetched";
    public static final String PREFETCH_SERVED = "tollgate.ratelimit.redis.prefetch.served";
    /** Buckets held in process: the local policy's, and the fallback's while Redis is unavailable. */
    public static final String LOCAL_BUCKETS = "tollgate.ratelimit.local.buckets";
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);

    /** Route name to its rules; replaced whole by a configuration reload. */
    private volatile Map<String, List<RateLimitRule>> routes;
    private final Map<String, RuleStats> stats = new ConcurrentHashMap<>();
    private final ManagementBeans management;
    private final LocalBuckets local;
    private final RedisBuckets remote;
    private final InstanceCount instances;
    private final MeterRegistry registry;
    private final Counter outages;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicBoolean degraded = new AtomicBoolean();

    /**
     * @param config the validated rules
     * @param redis the shared client; required when the policy is {@code redis}
     * @param clock time of the in-process buckets
     * @param registry where the meters go
     * @param management where the MXBeans go, or null for none
     */
    public RateLimiter(RateLimitConfig config, Redis redis, Clock clock, MeterRegistry registry,
                       ManagementBeans management) {
        this.registry = registry;
        this.management = management;
        this.local = new LocalBuckets(clock);
        this.routes = routeRules(config);
        if (config.redis()) {
            remote = new RedisBuckets(redis, Timer.builder(SCRIPT).publishPercentiles(0.5, 0.99).register(registry),
                    config.batchSize(), config.batchesInFlight(), config.prefetch(), config.prefetchTime());
            FunctionCounter.builder(REQUESTS_PER_CALL, remote, RedisBuckets::requests).register(registry);
            FunctionCounter.builder(PREFETCHED, remote, RedisBuckets::prefetched).register(registry);
            FunctionCounter.builder(PREFETCH_SERVED, remote, RedisBuckets::servedFromPrefetch).register(registry);
            // no heartbeat when no route is limited: the count would serve nothing
            instances = config.instances() > 0 || routes.isEmpty() ? new InstanceCount(Math.max(1, config.instances()))
                    : new InstanceCount(redis, config.heartbeatInterval());
        } else {
            remote = null;
            instances = new InstanceCount(1);
        }
        outages = Counter.builder(OUTAGES).register(registry);
        Gauge.builder("tollgate.ratelimit.instances", instances, InstanceCount::current).register(registry);
        Gauge.builder(LOCAL_BUCKETS, local, LocalBuckets::size).register(registry);
        config.rules().values().forEach(this::stats);
    }

    /** A rule's counters and MXBean, made when the rule is first seen (at start-up or after a reload). */
    private RuleStats stats(RateLimitRule rule) {
        RuleStats known = stats.get(rule.name());
        if (known != null) {
            return known;
        }
        return stats.computeIfAbsent(rule.name(), n -> {
            RuleStats s = new RuleStats(rule, this::reset);
            if (management != null) {
                management.register(ManagementBeans.name("RateLimiter", n), s);
            }
            return s;
        });
    }

    /**
     * The counters of a rule in force. A request checked against a rule that a reload removed meanwhile counts
     * in a detached instance: the removed rule's MXBean does not come back.
     */
    private RuleStats counts(RateLimitRule rule) {
        RuleStats s = stats.get(rule.name());
        return s != null ? s : new RuleStats(rule, this::reset);
    }

    /**
     * The rules of each limited route, by route name: what a configuration's requests are checked against with
     * {@link #check(Caller, List)}. A reloaded rule keeps its name and so its buckets and counters; a changed limit
     * applies to the next request.
     */
    public static Map<String, List<RateLimitRule>> routeRules(RateLimitConfig config) {
        Map<String, List<RateLimitRule>> out = new LinkedHashMap<>();
        config.routes().forEach((route, names) -> {
            List<RateLimitRule> rules = new ArrayList<>();
            names.forEach(n -> rules.add(config.rules().get(n)));
            out.put(route, List.copyOf(rules));
        });
        return Map.copyOf(out);
    }

    /**
     * After a configuration reload: which rules each route uses for {@link #check(Caller)}, the counters and
     * MXBean of each rule the reload added, and none for a rule it removed. A rule that keeps its name keeps its
     * buckets and counters, and its MXBean shows the new settings.
     */
    public void updateRoutes(RateLimitConfig config) {
        if (remote != null) {
            remote.resize(config.batchSize(), config.batchesInFlight(), config.prefetch(), config.prefetchTime());
        }
        instances.configure(config.instances());
        // a new rule's counters and MXBean before its first request; a kept one shows its new settings
        config.rules().values().forEach(r -> stats(r).update(r));
        this.routes = routeRules(config);
        for (String name : List.copyOf(stats.keySet())) {
            if (!config.rules().containsKey(name) && stats.remove(name) != null && management != null) {
                management.unregister(ManagementBeans.name("RateLimiter", name));
            }
        }
    }

    /** Whether the route has rate limits. */
    public boolean limits(String route) {
        return routes.containsKey(route);
    }

    /** Counts the request against every applicable rule of its route, and says whether it may pass. */
    public Decision check(Caller caller) {
        return check(caller, routes.get(caller.route()));
    }

    /** Counts the request against the applicable ones of the given rules of its route (null: none). */
    public Decision check(Caller caller, List<RateLimitRule> routeRules) {
        List<RateLimitRule> rules = applicable(routeRules, caller.principal());
        if (rules.isEmpty()) {
            return Decision.NONE;
        }
        if (remote == null) {
            return decide(rules, acquires(rules, caller, 1), caller.route());
        }
        List<Acquire> acquires = acquires(rules, caller, 1);
        List<BucketAnswer> outcomes;
        try {
            outcomes = remote.acquire(acquires);
        } catch (RedisUnavailableException e) {
            if (degraded.compareAndSet(false, true)) {
                outages.increment();
                LOG.warn("rate-limit: Redis unavailable ({}); each rule follows its failure policy, local-fallback "
                        + "with 1/{} of its limit", e.getMessage(), instances.current());
            }
            return fallback(rules, caller);
        }
        if (degraded.compareAndSet(true, false)) {
            LOG.warn("rate-limit: Redis available again; limits are shared again");
        }
        return verdict(rules, acquires, outcomes, caller.route());
    }

    private Decision decide(List<RateLimitRule> rules, List<Acquire> acquires, String route) {
        return verdict(rules, acquires, local.acquire(acquires), route);
    }

    private Decision fallback(List<RateLimitRule> rules, Caller caller) {
        List<RateLimitRule> shared = new ArrayList<>();
        boolean closed = false;
        for (RateLimitRule r : rules) {
            counts(r).fallbacks.increment();
            counter(FALLBACKS, r.name(), caller.route(), r.failurePolicy().label()).increment();
            if (r.failurePolicy() == FailurePolicy.FAIL_CLOSED && !r.reportOnly()) {
                closed = true;
            } else if (r.failurePolicy() == FailurePolicy.LOCAL_FALLBACK) {
                shared.add(r);
            }
        }
        if (closed) {
            return new Decision(Verdict.UNAVAILABLE, 1, List.of());
        }
        if (shared.isEmpty()) {
            return Decision.NONE;
        }
        return decide(shared, acquires(shared, caller, instances.current()), caller.route());
    }

    private static List<RateLimitRule> applicable(List<RateLimitRule> rules, Principal p) {
        if (rules == null) {
            return List.of();
        }
        List<RateLimitRule> out = new ArrayList<>(rules.size());
        for (RateLimitRule r : rules) {
            if (r.isUnconditional() || p != null && (p.plan() != null && r.plans().contains(p.plan())
                    || !Collections.disjoint(r.roles(), p.roles()))) {
                out.add(r);
            }
        }
        return out;
    }

    /** The buckets of the rules, each limit divided by {@code share} (the local share of a fallback). */
    private static List<Acquire> acquires(List<RateLimitRule> rules, Caller caller, int share) {
        List<Acquire> out = new ArrayList<>(rules.size());
        for (RateLimitRule r : rules) {
            long limit = Math.max(1, r.limit() / share);
            long burst = r.algorithm().hasBurst() ? Math.max(1, r.burst() / share) : limit;
            out.add(new Acquire(BucketKeys.of(r, caller), r.algorithm(), limit, r.window().toNanos() / 1000, burst,
                    !r.reportOnly()));
        }
        return out;
    }

    private Decision verdict(List<RateLimitRule> rules, List<Acquire> acquires, List<BucketAnswer> outcomes,
                             String route) {
        List<RuleStatus> statuses = new ArrayList<>(rules.size());
        boolean rejected = false;
        long retry = 0;
        for (int i = 0; i < rules.size(); i++) {
            RateLimitRule r = rules.get(i);
            Acquire a = acquires.get(i);
            BucketAnswer o = outcomes.get(i);
            RuleStats s = counts(r);
            String outcome;
            if (o.allowed()) {
                s.allowed.increment();
                outcome = "allowed";
            } else {
                s.rejected.increment();
                outcome = r.reportOnly() ? "reported" : "rejected";
                if (!r.reportOnly()) {
                    rejected = true;
                    retry = Math.max(retry, o.retryMicros());
                }
            }
            counter(REQUESTS, r.name(), route, outcome).increment();
            long window = !a.algorithm().hasBurst() ? a.windowMicros()
                    : (long) Math.ceil((double) a.burst() * a.windowMicros() / a.limit());
            statuses.add(new RuleStatus(r.name(), a.burst(), seconds(window), o.remaining(),
                    seconds(o.resetMicros())));
        }
        return rejected ? new Decision(Verdict.REJECT, Math.max(1, seconds(retry)), statuses)
                : new Decision(Verdict.ALLOW, 0, statuses);
    }

    private static long seconds(long micros) {
        return (micros + 999_999) / 1_000_000;
    }

    private Counter counter(String name, String rule, String route, String outcome) {
        String id = name + '\0' + rule + '\0' + route + '\0' + outcome;
        Counter c = counters.get(id);
        if (c == null) {
            String tag = name.equals(FALLBACKS) ? "policy" : "outcome";
            c = counters.computeIfAbsent(id, k -> Counter.builder(name).tag("rule", rule).tag("route", route)
                    .tag(tag, outcome).register(registry));
        }
        return c;
    }

    /** Empties a rule's buckets of one identity (and of the client address it falls back to). */
    private long reset(RateLimitRule rule, String identity) {
        List<String> keys = List.of(BucketKeys.key(rule, rule.key(), identity),
                BucketKeys.key(rule, RateLimitRule.Key.IP, identity));
        List<String> distinct = rule.key() == RateLimitRule.Key.IP ? keys.subList(0, 1) : keys;
        long n = local.reset(distinct);
        if (remote != null) {
            try {
                n += remote.reset(distinct);
            } catch (RedisUnavailableException e) {
                throw new IllegalStateException("Redis is unavailable: " + e.getMessage());
            }
        }
        return n;
    }

    @Override
    public void close() {
        instances.close();
    }
}
