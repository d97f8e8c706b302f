package dev.tollgate.discovery;

/**
 * One exchange's use of an instance. While held, it counts as an outstanding request of the instance (least
 * request balancing); {@link #release(InstanceOutcome)} ends it and reports the outcome to passive health. Used by
 * the one request thread that chose it; releasing twice has no further effect.
 */
public final class Lease {
    private final ServicePool pool;
    private final Member member;
    private boolean released;

    Lease(ServicePool pool, Member member) {
        this.pool = pool;
        this.member = member;
    }

    public Instance instance() {
        return member.instance();
    }

    /** Whether passive health has the instance ejected now (after the outcomes reported so far). */
    public boolean instanceEjected() {
        return pool.isEjected(member);
    }

    /** Ends the lease; the first call counts, later ones are ignored. */
    public void release(InstanceOutcome outcome) {
        if (released) {
            return;
        }
        released = true;
        member.outstanding().decrementAndGet();
        pool.report(member, outcome);
    }
}
