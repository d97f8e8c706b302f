package dev.tollgate.ratelimit;

import dev.tollgate.config.RateLimitRule.Algorithm;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Buckets in this process (policy {@code local}, and the local share while Redis is unavailable). Each bucket
 * has its own lock; a request's buckets are locked in key order, so that checking all of them and taking from
 * all of them is atomic without a global lock. Buckets that are empty again are forgotten by an occasional sweep.
 * Thread-safe.
 */
final class LocalBuckets implements Buckets {
    private static final int SWEEP_EVERY = 4096;

    private final Clock clock;
    private final Map<String, Cell> cells = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();

    /** @param clock the time source (microsecond precision is used when the clock has it) */
    LocalBuckets(Clock clock) {
        this.clock = clock;
    }

    private long nowMicros() {
        Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    @Override
    public List<BucketAnswer> acquire(List<Acquire> buckets) {
        long now = nowMicros();
        if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep(now);
        }
        List<Acquire> order = new ArrayList<>(buckets);
        order.sort(Comparator.comparing(Acquire::key));
        List<Cell> locked = new ArrayList<>(order.size());
        try {
            for (Acquire a : order) {
                locked.add(lock(a.key()));
            }
            return decide(buckets, now);
        } finally {
            for (Cell c : locked) {
                c.lock.unlock();
            }
        }
    }

    /** Locks the live cell of a key (a swept cell is dead: take the key's new one). */
    private Cell lock(String key) {
        while (true) {
            Cell c = cells.computeIfAbsent(key, k -> new Cell());
            c.lock.lock();
            if (!c.dead) {
                return c;
            }
            c.lock.unlock();
        }
    }

    private List<BucketAnswer> decide(List<Acquire> buckets, long now) {
        List<BucketAnswer> peeked = new ArrayList<>(buckets.size());
        boolean veto = false;
        for (Acquire a : buckets) {
            BucketAnswer o = cells.get(a.key()).peek(now, a);
            veto |= a.enforced() && !o.allowed();
            peeked.add(o);
        }
        if (veto) {
            return peeked;
        }
        List<BucketAnswer> out = new ArrayList<>(buckets.size());
        for (int i = 0; i < buckets.size(); i++) {
            Acquire a = buckets.get(i);
            out.add(peeked.get(i).allowed() ? cells.get(a.key()).take(now, a) : peeked.get(i));
        }
        return out;
    }

    @Override
    public long reset(List<String> keys) {
        long n = 0;
        for (String key : keys) {
            Cell c = cells.get(key);
            if (c != null) {
                c.lock.lock();
                try {
                    if (!c.dead) {
                        c.dead = true;
                        cells.remove(key, c);
                        n++;
                    }
                } finally {
                    c.lock.unlock();
                }
            }
        }
        return n;
    }

    /** Forgets the buckets that are empty (or full, for token buckets) again. */
    private void sweep(long now) {
        for (Map.Entry<String, Cell> e : cells.entrySet()) {
            Cell c = e.getValue();
            if (c.lock.tryLock()) {
                try {
                    if (!c.dead && c.idleAt <= now) {
                        c.dead = true;
                        cells.remove(e.getKey(), c);
                    }
                } finally {
                    c.lock.unlock();
                }
            }
        }
    }

    /** How many buckets are held: the sweep forgets idle ones (the gauge {@link RateLimiter#LOCAL_BUCKETS}). */
    int size() {
        return cells.size();
    }

    /** One bucket: its lock and its algorithm's state, created on first use. */
    private static final class Cell {
        final ReentrantLock lock = new ReentrantLock();
        SlidingWindow window;
        TokenBucket bucket;
        WindowCounter counter;
        long idleAt = Long.MIN_VALUE;
        boolean dead;

        BucketAnswer peek(long now, Acquire a) {
            if (a.algorithm() == Algorithm.SLIDING_WINDOW_COUNTER) {
                if (counter == null) {
                    counter = new WindowCounter();
                }
                return counter.peek(now, a);
            }
            if (a.algorithm() == Algorithm.SLIDING_WINDOW) {
                if (window == null) {
                    window = new SlidingWindow();
                }
                return window.peek(now, a);
            }
            if (bucket == null) {
                bucket = new TokenBucket();
            }
            return bucket.peek(now, a);
        }

        BucketAnswer take(long now, Acquire a) {
            BucketAnswer o;
            if (a.algorithm() == Algorithm.SLIDING_WINDOW_COUNTER) {
                o = counter.take(now, a);
                idleAt = counter.emptyAt(a.windowMicros());
            } else if (a.algorithm() == Algorithm.SLIDING_WINDOW) {
                o = window.take(now, a);
                idleAt = window.emptyAt(a.windowMicros());
            } else {
                o = bucket.take(now, a);
                idleAt = bucket.fullAt(a);
            }
            return o;
        }
    }
}
