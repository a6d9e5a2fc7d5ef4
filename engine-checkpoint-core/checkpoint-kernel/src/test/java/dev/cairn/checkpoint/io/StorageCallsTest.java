package dev.cairn.checkpoint.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.JobId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's storage calls: a busy job (many pipelines flushing at once) waits for its lanes and is
 * never refused; a job whose calls hang past their deadline is refused at once, saying for how
 * long; neither holds up another job.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StorageCallsTest {
    private static final JobId BUSY = JobId.of("busy");
    private static final JobId OTHER = JobId.of("other");

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final CountDownLatch release = new CountDownLatch(1);
    private CheckpointStorage storage;
    private StorageCalls calls;

    @BeforeEach
    void open() throws Exception {
        storage = CheckpointStorageFactories.find("localfile", getClass().getClassLoader())
                .create(Map.of("namespace", dir.toString()));
    }

    @AfterEach
    void close() throws Exception {
        release.countDown();
        calls.close();
        storage.close();
    }

    @Test
    void aBusyJob_waitsForALane_andEveryCallRuns_atMostPerJobAtOnce() throws Exception {
        calls = new StorageCalls(storage, 30_000, clock::get);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<CompletableFuture<Integer>> busy = new ArrayList<>();
        for (int i = 0; i < 3 * StorageCalls.PER_JOB; i++) {
            int n = i;
            busy.add(calls.call(BUSY, "call " + i, s -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                try {
                    release.await();
                } finally {
                    now.decrementAndGet();
                }
                return n;
            }));
        }
        awaitRunning(BUSY, StorageCalls.PER_JOB);
        while (now.get() < StorageCalls.PER_JOB) {
            Thread.sleep(5); // every lane's call on its thread
        }
        for (CompletableFuture<Integer> call : busy) {
            assertFalse(call.isDone(), "a busy job's call waits for a lane, it is not refused");
        }
        assertEquals("ran", calls.call(OTHER, "other", s -> "ran").get(10, TimeUnit.SECONDS));

        release.countDown();
        for (int i = 0; i < busy.size(); i++) {
            assertEquals(i, busy.get(i).get(10, TimeUnit.SECONDS));
        }
        assertEquals(StorageCalls.PER_JOB, most.get());
        assertEquals(0, calls.running(BUSY));
    }

    @Test
    void aJobWhoseCallsHangPastTheirDeadline_isRefusedAtOnce_sayingHowLong_andOthersRun() throws Exception {
        calls = new StorageCalls(storage, 200, clock::get);
        List<CompletableFuture<Object>> hung = hang(StorageCalls.PER_JOB);
        for (CompletableFuture<Object> call : hung) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS));
            assertTrue(
                    e.getCause().getMessage().contains("did not answer within 200 ms"),
                    e.getCause().getMessage());
        }
        assertEquals(StorageCalls.PER_JOB, calls.running(BUSY), "hung calls keep their lanes");
        clock.addAndGet(5_000);

        CompletableFuture<Object> refused = calls.call(BUSY, "store checkpoint 9 of busy/1", s -> "ran");
        assertTrue(refused.isDone(), "refused at once, not queued behind hung calls");
        ExecutionException e = assertThrows(ExecutionException.class, refused::get);
        assertEquals(
                "cannot store checkpoint 9 of busy/1: " + StorageCalls.PER_JOB
                        + " earlier storage calls of job busy have not returned (the oldest for 5 s); the storage may hang",
                e.getCause().getMessage());
        assertEquals("ran", calls.call(OTHER, "other", s -> "ran").get(10, TimeUnit.SECONDS));

        release.countDown(); // the storage answers again
        awaitRunning(BUSY, 0);
        assertEquals("ran", calls.call(BUSY, "again", s -> "ran").get(10, TimeUnit.SECONDS));
    }

    @Test
    void aCallWaitingForALanePastItsDeadline_failsSaying_andNeverRuns() throws Exception {
        calls = new StorageCalls(storage, 300, clock::get);
        hang(StorageCalls.PER_JOB);
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Object> waiting = calls.call(BUSY, "store checkpoint 9 of busy/1", s -> {
            ran.set(true);
            return null;
        });
        assertFalse(waiting.isDone(), "the running calls are within their deadline: this one waits");

        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        assertEquals(
                "cannot store checkpoint 9 of busy/1: the storage did not answer within 300 ms"
                        + " (seatunnel.engine.checkpoint.storage.call-timeout)",
                e.getCause().getMessage());
        release.countDown();
        awaitRunning(BUSY, 0);
        assertEquals("ran", calls.call(BUSY, "again", s -> "ran").get(10, TimeUnit.SECONDS));
        assertFalse(ran.get(), "a call that waited past its deadline never runs");
    }

    /** {@code count} calls of {@link #BUSY} that hang until {@link #release}, deaf to interrupts. */
    private List<CompletableFuture<Object>> hang(int count) throws InterruptedException {
        List<CompletableFuture<Object>> hung = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            hung.add(calls.call(BUSY, "hang " + i, s -> {
                while (true) {
                    try {
                        release.await();
                        return null;
                    } catch (InterruptedException deaf) {
                        // a hung NFS read does not end when interrupted either
                    }
                }
            }));
        }
        awaitRunning(BUSY, count);
        return hung;
    }

    private void awaitRunning(JobId job, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (calls.running(job) != count) {
            assertTrue(System.nanoTime() < deadline, "running " + calls.running(job) + ", not " + count);
            Thread.sleep(5);
        }
    }
}
