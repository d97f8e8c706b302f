package dev.tollgate;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admits requests until shutdown begins, counts those in flight, and lets shutdown wait for the last one.
 * Thread-safe.
 */
public final class DrainGate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int inFlight;
    private boolean draining;

    /** Admits a request, unless shutdown has begun. Each admitted request must call {@link #exit()}. */
    public boolean enter() {
        lock.lock();
        try {
            if (draining) {
                return false;
            }
            inFlight++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    public void exit() {
        lock.lock();
        try {
            if (--inFlight == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Requests admitted and not yet finished. */
    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Whether shutdown has begun: no request is admitted any more. */
    public boolean isDraining() {
        lock.lock();
        try {
            return draining;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops admitting requests and waits up to {@code timeout} for those in flight.
     *
     * @return how many are still in flight (0 when all finished in time)
     */
    int drain(Duration timeout) {
        lock.lock();
        try {
            draining = true;
            long nanos = timeout.toNanos();
            while (inFlight > 0 && nanos > 0) {
                nanos = idle.awaitNanos(nanos);
            }
            return inFlight;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return inFlight;
        } finally {
            lock.unlock();
        }
    }
}
