package dev.cairn.it;

import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The faults a test injects into members running in its own JVM: through the storage every member
 * uses ({@link FaultyStorage}) and the transform of the {@link FaultyDemoJob}. Static, because
 * members are created by the engine, not by the test; reset before each run.
 */
final class Faults {
    /** Every storage call fails, as if the storage were unreachable. */
    static volatile boolean storageDown;

    static final String OUTAGE = "storage unreachable (injected outage)";
    /** What a storage call says while the storage is down. */
    static volatile String outageMessage = OUTAGE;
    /** Added to every store. */
    static volatile long storageDelayMillis;
    /**
     * Jobs whose every storage call hangs, as on a dead NFS mount: the call blocks, deaf to
     * interrupts, until {@link #reset}.
     */
    static final Set<String> HANGING_JOBS = ConcurrentHashMap.newKeySet();

    private static volatile CountDownLatch hangsEnd = new CountDownLatch(1);

    private static final AtomicBoolean THROW = new AtomicBoolean();
    private static final AtomicReference<Long> STALL = new AtomicReference<>();
    private static final AtomicReference<Pause> SNAPSHOT_PAUSE = new AtomicReference<>();
    private static final AtomicReference<Pause> STORE_PAUSE = new AtomicReference<>();

    private Faults() {}

    static void reset() {
        HANGING_JOBS.clear();
        hangsEnd.countDown();
        hangsEnd = new CountDownLatch(1);
        storageDown = false;
        outageMessage = OUTAGE;
        storageDelayMillis = 0;
        THROW.set(false);
        STALL.set(null);
        SNAPSHOT_PAUSE.set(null);
        STORE_PAUSE.set(null);
    }

    /**
     * Blocks while {@code job}'s storage hangs; an interrupt does not end the wait. Returns whether
     * it hung: a call released by {@link #reset} (the test is over) must not touch the storage.
     */
    static boolean hangIfAsked(String job) {
        CountDownLatch end = hangsEnd;
        boolean interrupted = false;
        boolean hung = false;
        while (HANGING_JOBS.contains(job) && end.getCount() > 0) {
            hung = true;
            try {
                end.await(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true; // a hung mount does not care
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return hung;
    }

    /** What a faulty transform does before it processes a record: throws, if told to. */
    static void beforeRecord(Object record) {
        if (takeThrow()) {
            throw new IllegalStateException("injected task failure at record " + record);
        }
    }

    /** What a faulty transform does before it snapshots: stalls or pauses, if told to. */
    static void beforeSnapshot() throws InterruptedException {
        Long stall = takeStall();
        if (stall != null) {
            Thread.sleep(stall);
        }
        Pause pause = takeSnapshotPause();
        if (pause != null) {
            pause.hold();
        }
    }

    /** The next record a transform sees makes it throw. */
    static void throwOnce() {
        THROW.set(true);
    }

    static boolean takeThrow() {
        return THROW.compareAndSet(true, false);
    }

    /** The next snapshot a transform takes stalls for {@code millis}. */
    static void stallOnce(long millis) {
        STALL.set(millis);
    }

    static Long takeStall() {
        return STALL.getAndSet(null);
    }

    /**
     * A point in the middle of some work (a snapshot, a store) where the work waits for the test:
     * the test learns it is there, acts (kills a member), then lets it go on.
     */
    static final class Pause {
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private final long maxMillis;
        /** Which stores it pauses (by where they store). */
        private final Predicate<PipelineKey> which;

        Pause() {
            this(5_000, where -> true);
        }

        Pause(long maxMillis, Predicate<PipelineKey> which) {
            this.maxMillis = maxMillis;
            this.which = which;
        }

        /** Called by the paused work; it goes on when released, or after the pause's longest. */
        void hold() throws InterruptedException {
            reached.countDown();
            released.await(maxMillis, TimeUnit.MILLISECONDS);
        }

        /** Called by the test: whether the work got here within {@code millis}. */
        boolean awaitReached(long millis) throws InterruptedException {
            return reached.await(millis, TimeUnit.MILLISECONDS);
        }

        void release() {
            released.countDown();
        }
    }

    /** The next snapshot a transform takes pauses (its checkpoint is in flight meanwhile). */
    static Pause pauseNextSnapshot() {
        Pause pause = new Pause();
        SNAPSHOT_PAUSE.set(pause);
        return pause;
    }

    static Pause takeSnapshotPause() {
        return SNAPSHOT_PAUSE.getAndSet(null);
    }

    /** The next store pauses (a flush is in flight meanwhile). */
    static Pause pauseNextStore() {
        Pause pause = new Pause();
        STORE_PAUSE.set(pause);
        return pause;
    }

    /**
     * The next store of a checkpoint's manifest (not a part, not a lease marker) pauses, for at most
     * {@code maxMillis}.
     */
    static Pause pauseNextManifestStore(long maxMillis) {
        Pause pause = new Pause(maxMillis, where -> !FileLayout.holdsIds(where) && !FileLayout.holdsParts(where));
        STORE_PAUSE.set(pause);
        return pause;
    }

    /** The pause the store to {@code where} takes, if one is set for it. */
    static Pause takeStorePause(PipelineKey where) {
        Pause pause = STORE_PAUSE.get();
        return pause != null && pause.which.test(where) && STORE_PAUSE.compareAndSet(pause, null) ? pause : null;
    }
}
