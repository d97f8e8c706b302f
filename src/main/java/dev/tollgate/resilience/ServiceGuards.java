package dev.tollgate.resilience;

import dev.tollgate.config.ResilienceConfig;
import dev.tollgate.config.ServiceConfig;
import dev.tollgate.observability.ManagementBeans;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.standalone.StandaloneFaultTolerance;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ServiceGuard} of every upstream service whose guard is on ({@code resilience.enabled}), built once at
 * start-up, with their meters and MXBeans; a service with the guard off has none of them.
 * SmallRye Fault Tolerance keeps one timer thread per class loader (one per deployed WAR), shared by every
 * guard built in it; {@link #stopTimer()} stops it when the WAR is undeployed, not when one set of breakers
 * closes (tests build several gateways in one class loader). Thread-safe.
 */
public final class ServiceGuards {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceGuards.class);

    private final Map<String, ServiceGuard> guards = new LinkedHashMap<>();

    private final Map<String, ResilienceConfig> settings = new LinkedHashMap<>();
    private final Clock clock;
    private final Predicate<Throwable> upstreamFault;

    public ServiceGuards(Collection<ServiceConfig> services, Clock clock, Predicate<Throwable> upstreamFault) {
        this(services, Map.of(), Map.of(), clock, upstreamFault);
    }

    private ServiceGuards(Collection<ServiceConfig> services, Map<String, ServiceGuard> reuse,
                     Map<String, ResilienceConfig> before, Clock clock, Predicate<Throwable> upstreamFault) {
        this.clock = clock;
        this.upstreamFault = upstreamFault;
        for (ServiceConfig s : services) {
            if (!s.resilience().enabled()) {
                if (!s.resilience().equals(before.get(s.name()))) {
                    LOG.info("service={} resilience guard off: no bulkhead, breaker, retries or stale-if-error",
                            s.name());
                }
                continue;
            }
            ServiceGuard kept = s.resilience().equals(before.get(s.name())) ? reuse.get(s.name()) : null;
            guards.put(s.name(), kept != null ? kept : new ServiceGuard(s.name(), s.resilience(), clock, upstreamFault));
            settings.put(s.name(), s.resilience());
        }
    }

    /**
     * The guards of a reloaded configuration: a service whose resilience settings are unchanged keeps its guard
     * (breaker state, bulkhead count, retry budget); a changed or added one gets a fresh guard.
     */
    public ServiceGuards next(Collection<ServiceConfig> services) {
        return new ServiceGuards(services, guards, settings, clock, upstreamFault);
    }

    /** The guard of a configured service; {@link UpstreamGuard#NONE} when its guard is off ({@code resilience.enabled = false}). */
    public UpstreamGuard guard(String service) {
        ServiceGuard g = guards.get(service);
        return g == null ? UpstreamGuard.NONE : g;
    }

    /** Registers each breaker's meters and its MXBean {@code tollgate:type=Breaker,name=<service>}. */
    public void bind(MeterRegistry registry, ManagementBeans management) {
        for (ServiceGuard g : guards.values()) {
            String s = g.service();
            gauge(registry, "tollgate.breaker.state", g, ServiceGuard::stateCode);
            gauge(registry, "tollgate.breaker.seconds.until.trial", g, ServiceGuard::getSecondsUntilTrial);
            gauge(registry, "tollgate.bulkhead.active", g, ServiceGuard::getActiveRequests);
            counter(registry, "tollgate.breaker.calls", g, "success", ServiceGuard::getSuccesses);
            counter(registry, "tollgate.breaker.calls", g, "failure", ServiceGuard::getFailures);
            counter(registry, "tollgate.breaker.calls", g, "prevented", ServiceGuard::getPrevented);
            FunctionCounter.builder("tollgate.bulkhead.rejected", g, ServiceGuard::getBulkheadRejections)
                    .tag("service", s).register(registry);
            FunctionCounter.builder("tollgate.retry.attempts", g, x -> x.retries().get())
                    .tag("service", s).register(registry);
            FunctionCounter.builder("tollgate.retry.budget.exhausted", g, x -> x.budgetExhausted().get())
                    .tag("service", s).register(registry);
            management.register(ManagementBeans.name("Breaker", s), g);
        }
    }

    private static void gauge(MeterRegistry registry, String name, ServiceGuard g, ToDoubleFunction<ServiceGuard> f) {
        Gauge.builder(name, g, f).tag("service", g.service()).strongReference(true).register(registry);
    }

    private static void counter(MeterRegistry registry, String name, ServiceGuard g, String outcome,
                                ToDoubleFunction<ServiceGuard> f) {
        FunctionCounter.builder(name, g, f).tag("service", g.service()).tag("outcome", outcome).register(registry);
    }

    /** Stops SmallRye's timer thread of this class loader; call once, when the WAR is undeployed. */
    public static void stopTimer() {
        try {
            StandaloneFaultTolerance.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("shutdown: interrupted while stopping the fault tolerance timer");
        }
    }
}
