package dev.tollgate.observability;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.security.AccessController;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.JMRuntimeException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.security.auth.Subject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's MXBeans in the platform MBean server, under the domain {@code tollgate} (names like
 * {@code tollgate:type=Route,name=orders}), and the audit of every management operation: who called it,
 * what it did and the result, logged once per call (the log line carries the time). Thread-safe;
 * {@link #close()} unregisters everything this instance registered.
 */
public final class ManagementBeans implements AutoCloseable {
    public static final String DOMAIN = "tollgate";
    private static final Logger AUDIT = LoggerFactory.getLogger("dev.tollgate.audit");
    private static final Logger LOG = LoggerFactory.getLogger(ManagementBeans.class);
    private static final Method CURRENT = currentMethod();

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final List<ObjectName> registered = new ArrayList<>();

    /** The name {@code tollgate:type=<type>[,name=<name>]}, with the name quoted when it needs it. */
    public static ObjectName name(String type, String name) {
        try {
            String n = name == null ? "" : ",name=" + (name.matches("[A-Za-z0-9._-]+") ? name : ObjectName.quote(name));
            return new ObjectName(DOMAIN + ":type=" + type + n);
        } catch (JMException e) {
            throw new IllegalArgumentException("invalid JMX name for " + type + " " + name, e);
        }
    }

    /**
     * Registers an MXBean, replacing one left under the same name by an earlier deployment of this WAR in the
     * same JVM (a redeploy must not fail on its own leftovers).
     */
    public synchronized void register(ObjectName name, Object mxbean) {
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(mxbean, name);
            if (!registered.contains(name)) {
                registered.add(name);
            }
        } catch (JMException | JMRuntimeException e) {
            // JMRuntimeException: the bean already there refused to go (its preDeregister threw)
            throw new IllegalStateException("cannot register the MXBean " + name, e);
        }
    }

    /** Unregisters one MXBean this instance registered (e.g. the MXBean of a route a reload removed). */
    public synchronized void unregister(ObjectName name) {
        try {
            if (registered.remove(name) && server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException e) {
            LOG.warn("cannot unregister {}: {}", name, e.getMessage());
        }
    }

    /**
     * Runs a management operation and writes its audit line: {@code jmx by=<caller> op=<operation>
     * target=<target> result=<result>}; a failure is audited and rethrown.
     */
    public static <T> T audited(String operation, String target, Supplier<T> action) {
        String caller = caller();
        try {
            T result = action.get();
            AUDIT.info("jmx by={} op={} target={} result={}", caller, operation, target, result);
            return result;
        } catch (RuntimeException e) {
            AUDIT.warn("jmx by={} op={} target={} result=failed: {}", caller, operation, target, e.getMessage());
            throw e;
        }
    }

    /** The authenticated JMX remote user, or {@code local} for an in-process or unauthenticated call. */
    private static String caller() {
        Subject subject = currentSubject();
        if (subject == null || subject.getPrincipals().isEmpty()) {
            return "local";
        }
        return subject.getPrincipals().stream().map(Principal::getName).sorted().findFirst().orElse("local");
    }

    /**
     * {@code Subject.current()} where it exists (Java 18+; the only way on 24+), else the access-control
     * context's subject (Java 17, where the WAR is compiled).
     */
    @SuppressWarnings("removal")
    private static Subject currentSubject() {
        if (CURRENT != null) {
            try {
                return (Subject) CURRENT.invoke(null);
            } catch (ReflectiveOperationException e) {
                return null;
            }
        }
        return Subject.getSubject(AccessController.getContext());
    }

    private static Method currentMethod() {
        try {
            return Subject.class.getMethod("current");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        for (ObjectName name : registered) {
            try {
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
            } catch (JMException e) {
                LOG.warn("shutdown: cannot unregister {}: {}", name, e.getMessage());
            }
        }
        registered.clear();
    }
}
