package dev.tollgate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    private static AccessRecord record(String id) {
        return new AccessRecord(0, new AccessRecord.Request(id, null, "127.0.0.1", "GET", "/x", "HTTP/1.1"),
                AccessRecord.Target.NONE, new AccessRecord.Result(200, 0, 0, 1), AccessRecord.Decisions.NONE);
    }

    @Test
    void aBlockedSinkNeverBlocksTheCallerAndFullQueueDropsAreCounted() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> written = new CopyOnWriteArrayList<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AccessLog log = new AccessLog(2, r -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(r.request().requestId());
        }, registry);
        log.log(record("first"));
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 5; i++) {
            log.log(record("r" + i)); // returns at once although the writer is stuck
        }
        assertThat(log.dropped()).isEqualTo(3);
        assertThat(registry.get(AccessLog.DROPPED).functionCounter().count()).isEqualTo(3);
        release.countDown();
        log.close();
        assertThat(written).containsExactly("first", "r0", "r1");
        assertThat(registry.get(AccessLog.WRITTEN).functionCounter().count()).isEqualTo(3);
    }

    @Test
    void aFailingSinkCountsItsLinesAsDroppedAndKeepsGoing() {
        List<String> written = new CopyOnWriteArrayList<>();
        AccessLog log = new AccessLog(16, r -> {
            if (r.request().requestId().equals("bad")) {
                throw new IllegalStateException("disk full");
            }
            written.add(r.request().requestId());
        }, new SimpleMeterRegistry());
        log.log(record("bad"));
        log.log(record("good"));
        log.close();
        assertThat(written).containsExactly("good");
        assertThat(log.dropped()).isEqualTo(1);
    }

    /** A sink that buffers is flushed once the writer has caught up, so lines never wait for the next burst. */
    @Test
    void aBufferingSinkIsFlushedWhenTheQueueIsEmpty() throws Exception {
        final class Buffering implements java.util.function.Consumer<AccessRecord>, java.io.Flushable {
            final List<String> buffered = new CopyOnWriteArrayList<>();
            final List<String> flushed = new CopyOnWriteArrayList<>();
            final CountDownLatch seen = new CountDownLatch(1);

            @Override
            public void accept(AccessRecord r) {
                buffered.add(r.request().requestId());
            }

            @Override
            public void flush() {
                flushed.addAll(buffered);
                buffered.clear();
                if (flushed.size() == 3) {
                    seen.countDown();
                }
            }
        }
        Buffering sink = new Buffering();
        AccessLog log = new AccessLog(16, sink, new SimpleMeterRegistry());
        log.log(record("a"));
        log.log(record("b"));
        log.log(record("c"));
        assertThat(sink.seen.await(5, TimeUnit.SECONDS)).as("flushed without a close").isTrue();
        assertThat(sink.flushed).containsExactly("a", "b", "c");
        log.close();
    }

    @Test
    void aDisabledLogStartsNoWriterAndCountsNothing() {
        AccessLog log = new AccessLog(1, null, new SimpleMeterRegistry());
        log.log(record("a"));
        log.log(record("b"));
        assertThat(log.isEnabled()).isFalse();
        assertThat(log.dropped()).isZero();
        log.close();
    }
}
