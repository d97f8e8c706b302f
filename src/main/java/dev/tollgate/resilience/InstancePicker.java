package dev.tollgate.resilience;

import dev.tollgate.discovery.Discovery;
import dev.tollgate.discovery.Instance;
import java.util.Set;

/**
 * The one place where a retry asks discovery for an instance: one not tried yet for this request where the
 * service has one, else any. Stateless.
 */
public final class InstancePicker {
    private InstancePicker() {
    }

    /** An instance of the service, preferring one not in {@code tried}; null when the service has none. */
    public static Instance pick(Discovery discovery, String service, Set<Instance> tried) {
        Instance any = null;
        for (int i = 0; i <= tried.size(); i++) {
            Instance candidate = discovery.choose(service);
            if (candidate == null || !tried.contains(candidate)) {
                return candidate;
            }
            any = candidate;
        }
        return any;
    }
}
