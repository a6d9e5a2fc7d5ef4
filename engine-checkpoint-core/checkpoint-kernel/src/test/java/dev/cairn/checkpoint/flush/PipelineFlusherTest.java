package dev.cairn.checkpoint.flush;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.TestWait;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.coordinator.Backoff;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.recovery.RecoveryPlanner;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.CheckpointMemory;
import dev.cairn.checkpoint.store.ChunkKey;
import dev.cairn.checkpoint.store.DeposedException;
import dev.cairn.checkpoint.store.IdLease;
import dev.cairn.checkpoint.store.InMemoryCheckpointMemory;
import dev.cairn.checkpoint.store.PipelineRecord;
import dev.cairn.checkpoint.store.PipelineSnapshots;
import dev.cairn.checkpoint.store.StateParts;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The flusher on an in-memory cluster memory and the {@code localfile} plugin, behind a storage the test holds up. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipelineFlusherTest {
    private static final PipelineKey PIPELINE = PipelineKey.of("job-1", "1");

    @TempDir
    Path dir;

    private final ScheduledExecutorService io = Executors.newScheduledThreadPool(2);
    private CheckpointMemory member;
    private CheckpointStorage storage;
    private StorageCalls calls;
    private PipelineSnapshots snapshots;
    private IdLease lease;

    /** Stores of checkpoints (not lease markers) wait for this while it is closed. */
    private volatile CountDownLatch gate = new CountDownLatch(0);
    /** Checkpoint stores under way right now, and the most ever at once. */
    private final AtomicInteger storing = new AtomicInteger();

    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private final Set<Long> storesStarted = ConcurrentHashMap.newKeySet();
    private volatile boolean storageFails;
    private volatile boolean partsFail;
    private volatile CountDownLatch deleteGate = new CountDownLatch(0);
    /** How many of the next deletes fail. */
    private final AtomicInteger deleteFailures = new AtomicInteger();

    private final List<Long> stored = new CopyOnWriteArrayList<>();
    /** Stored, and retention has run after them. */
    private final List<Long> settled = new CopyOnWriteArrayList<>();

    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<Long> lost = new CopyOnWriteArrayList<>();
    /** Which checkpoint (or part) stores wait at the gate while it is closed. */
    private volatile java.util.function.LongPredicate waitsAtGate = id -> true;
    /** Which checkpoint stores fail once through the gate. */
    private volatile java.util.function.LongPredicate failsAfterGate = id -> false;
    /** Which checkpoint stores fail once their bytes are stored (a lost answer). */
    private volatile java.util.function.LongPredicate failsAfterStore = id -> false;

    private final AtomicInteger quiet = new AtomicInteger();

    private final List<DeposedException> deposed = new CopyOnWriteArrayList<>();
    private final PipelineFlusher.Listener listener = new PipelineFlusher.Listener() {
        @Override
        public void stored(long id, long millis) {
            stored.add(id);
        }

        @Override
        public void settled(long id) {
            if (!stored.contains(id)) {
                failures.add(id + ": settled before it was reported stored");
            }
            settled.add(id);
        }

        @Override
        public void quiet() {
            quiet.incrementAndGet();
        }

        @Override
        public void storeFailed(long id, Exception error, int count) {
            failures.add(id + ": " + error.getMessage());
        }

        @Override
        public void lost(long id, boolean savepoint, String why) {
            lost.add(id);
        }

        @Override
        public void deposed(DeposedException e) {
            deposed.add(e);
        }
    };

    @BeforeEach
    void start() throws Exception {
        member = new InMemoryCheckpointMemory();
        CheckpointMemory refusing = new RefusingDrops(member);
        CheckpointStorage real = CheckpointStorageFactories.find(
                        "localfile", getClass().getClassLoader())
                .create(Map.of("namespace", dir.toString()));
        storage = new Held(real);
        calls = new StorageCalls(storage, 20_000);
        snapshots = new PipelineSnapshots(refusing, PIPELINE, io);
        lease = new IdLease(snapshots, calls, io);
        lease.claim().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        gate.countDown();
        deleteGate.countDown();
        io.shutdownNow();
        calls.close();
        storage.close();
    }

    private PipelineFlusher flusher(int maxRetained) {
        return new PipelineFlusher(snapshots, calls, lease, maxRetained, io, listener);
    }

    /** A flusher that backs off for an hour after a failure: whatever happens next, happens without a retry. */
    private PipelineFlusher flusherBackingOffAnHour(int maxRetained) {
        return new PipelineFlusher(
                snapshots,
                calls,
                lease,
                maxRetained,
                io,
                listener,
                new LocalPartStorer(snapshots.memory(), calls),
                new Backoff(3_600_000, 3_600_000));
    }

    private long complete(long id) throws Exception {
        return complete(id, CheckpointType.CHECKPOINT);
    }

    private long complete(long id, CheckpointType type) throws Exception {
        CompletedCheckpoint checkpoint = new CompletedCheckpoint(
                PIPELINE,
                CheckpointId.of(id),
                type,
                1,
                2,
                List.of(new TaskState("source-0", new byte[] {(byte) id})),
                Map.of());
        snapshots.add(checkpoint).toCompletableFuture().get(30, TimeUnit.SECONDS);
        return id;
    }

    /** Completes a checkpoint and waits until its write has started (and waits at the gate). */
    private void completeWhileHeld(PipelineFlusher flusher, long id) throws Exception {
        flusher.completed(complete(id));
        TestWait.until(() -> storesStarted.contains(id), "the write of " + id + " started");
    }

    private List<Long> inStorage(PipelineKey where) throws CheckpointStorageException {
        return storage.list(where).stream().map(CheckpointId::value).toList();
    }

    /**
     * A checkpoint that completes while its member closes (the member's I/O threads already gone)
     * must neither fail the coordinator that reports it nor be lost: it stays in the map, and the
     * flusher of whoever takes over writes it.
     */
    @Test
    void aCheckpointCompletedWhileTheMemberCloses_isLeftToTheNextFlusher() throws Exception {
        ScheduledExecutorService closedIo = Executors.newSingleThreadScheduledExecutor();
        closedIo.shutdownNow();
        PipelineFlusher closing = new PipelineFlusher(snapshots, calls, lease, 2, closedIo, listener);
        long id = complete(1);

        assertDoesNotThrow(() -> closing.completed(id));
        assertEquals(List.of(1L), snapshots.record().unstored(), "still owed to storage");
        assertEquals(List.of(), inStorage(PIPELINE));

        flusher(2).wake();

        TestWait.until(() -> stored.contains(id), "stored by the next flusher");
        assertEquals(List.of(1L), inStorage(PIPELINE));
        assertEquals(List.of(), snapshots.record().unstored());
    }

    /** A slow store: each checkpoint starts its write when it completes, not after the ones before it. */
    @Test
    void writesOverlap_upToTheLimit() throws Exception {
        gate = new CountDownLatch(1);
        PipelineFlusher flusher = flusher(10);

        for (long id = 1; id <= 3; id++) {
            completeWhileHeld(flusher, id);
        }

        assertEquals(3, storing.get(), "three writes under way at once");
        assertEquals(List.of(), stored, "none stored yet: none may be committed");
        gate.countDown();
        TestWait.until(() -> stored.size() == 3, "all three stored");
        assertEquals(List.of(1L, 2L, 3L), inStorage(PIPELINE));
    }

    /**
     * When every slot is busy, only the newest waiting checkpoint is kept: memory stays bounded and
     * nothing holds triggers back, whatever the storage does. Sinks commit up to it, which covers
     * the ones dropped.
     */
    @Test
    void whileAllSlotsAreBusy_onlyTheNewestWaitingCheckpointIsKept() throws Exception {
        gate = new CountDownLatch(1);
        PipelineFlusher flusher = flusher(10);
        for (long id = 1; id <= PipelineFlusher.MAX_IN_FLIGHT; id++) {
            completeWhileHeld(flusher, id);
        }

        for (long id = 5; id <= 9; id++) {
            flusher.completed(complete(id));
        }
        TestWait.until(
                () -> snapshots.record().inMemory().equals(List.of(1L, 2L, 3L, 4L, 9L)),
                "5 to 8 dropped from the map: " + snapshots.record().inMemory());
        gate.countDown();

        TestWait.until(() -> stored.contains(9L), "the newest is stored");
        assertFalse(storesStarted.contains(5L) || storesStarted.contains(8L), "superseded ones are never written");
        assertEquals(List.of(9L), snapshots.record().inMemory(), "the map keeps only the latest");
        assertEquals(PipelineFlusher.MAX_IN_FLIGHT, mostAtOnce.get(), "never more writes at once than the limit");
    }

    @Test
    void eachSavepointIsStored_apart_andNeverDropped() throws Exception {
        gate = new CountDownLatch(1);
        PipelineFlusher flusher = flusher(1);
        for (long id = 1; id <= PipelineFlusher.MAX_IN_FLIGHT; id++) {
            completeWhileHeld(flusher, id);
        }
        flusher.completed(complete(5, CheckpointType.SAVEPOINT));
        flusher.completed(complete(6));
        gate.countDown();

        TestWait.until(() -> settled.contains(5L) && settled.contains(6L), "the savepoint and the newest stored");
        assertEquals(List.of(5L), inStorage(FileLayout.savepointsOf(PIPELINE)));
        assertEquals(List.of(6L), inStorage(PIPELINE), "retention (1) never reaches savepoints");
    }

    @Test
    void aCheckpointIsReportedStored_beforeRetentionDeletesOlderOnes_andSettledOnlyAfter() throws Exception {
        PipelineFlusher flusher = flusher(1);
        flusher.completed(complete(1));
        TestWait.until(() -> settled.contains(1L), "checkpoint 1 stored and settled");
        deleteGate = new CountDownLatch(1); // retention after checkpoint 2 waits to delete checkpoint 1

        flusher.completed(complete(2));
        TestWait.until(() -> stored.contains(2L), "checkpoint 2 reported stored while retention waits");
        assertFalse(settled.contains(2L), "not settled while its retention runs");
        assertFalse(flusher.settled(2));
        assertEquals(List.of(1L, 2L), inStorage(PIPELINE), "checkpoint 1 is not deleted yet");

        deleteGate.countDown();
        TestWait.until(() -> settled.contains(2L), "settled once retention ran");
        assertTrue(flusher.settled(2));
        assertEquals(List.of(2L), inStorage(PIPELINE));
        assertEquals(List.of(), failures);
    }

    /**
     * A job's final checkpoint is stored while older writes are still under way (a slow store):
     * they land after its retention. It is settled only once they have ended and retention ran
     * after them too, so the job does not finish with more than max-retained checkpoints stored.
     */
    @Test
    void theNewestStored_isNotSettled_whileOlderWritesAreUnderWay_andRetentionCoversThem() throws Exception {
        gate = new CountDownLatch(1);
        waitsAtGate = id -> id < 4;
        PipelineFlusher flusher = flusher(1);
        for (long id = 1; id <= 3; id++) {
            completeWhileHeld(flusher, id);
        }
        flusher.completed(complete(4));
        TestWait.until(() -> settled.contains(4L), "checkpoint 4 stored, retention run after it");
        assertFalse(flusher.settled(4), "three older writes are still under way");
        assertEquals(0, quiet.get());

        gate.countDown();
        TestWait.until(() -> flusher.settled(4), "settled once the older writes have landed");
        TestWait.until(() -> quiet.get() == 1, "the listener told");
        assertEquals(List.of(4L), inStorage(PIPELINE), "retention ran after the late ones too");
        assertEquals(List.of(), failures);
    }

    /**
     * An older write that fails after a newer checkpoint was stored is not retried (nothing owes it)
     * nor reported as a storage failure: the storage stored the newer one.
     */
    @Test
    void anOlderWriteFailing_afterANewerOneIsStored_isNeitherRetriedNorReported() throws Exception {
        gate = new CountDownLatch(1);
        waitsAtGate = id -> id == 1;
        failsAfterGate = id -> id == 1;
        // A counted failure would hold the next write back for an hour.
        PipelineFlusher flusher = flusherBackingOffAnHour(3);
        completeWhileHeld(flusher, 1);
        flusher.completed(complete(2));
        TestWait.until(() -> settled.contains(2L), "checkpoint 2 stored");

        gate.countDown();
        TestWait.until(() -> quiet.get() == 1, "the write of 1 ended, the last under way");
        assertTrue(flusher.settled(2));
        assertEquals(List.of(), failures, "no storage failure reported");
        assertEquals(List.of(2L), inStorage(PIPELINE));
        flusher.completed(complete(3));
        TestWait.until(() -> settled.contains(3L), "the next checkpoint stored, no backoff first");
        assertEquals(List.of(2L, 3L), inStorage(PIPELINE));
    }

    /**
     * A retention that fails is tried again before the write is settled: after a job's final
     * checkpoint, no later retention would delete what it left.
     */
    @Test
    void aRetentionThatFails_isTriedAgain_beforeTheCheckpointIsSettled() throws Exception {
        PipelineFlusher flusher = flusher(1);
        flusher.completed(complete(1));
        TestWait.until(() -> settled.contains(1L), "checkpoint 1 stored and settled");
        deleteFailures.set(PipelineFlusher.RETENTION_TRIES - 1);

        flusher.completed(complete(2));
        TestWait.until(() -> settled.contains(2L), "checkpoint 2 settled");
        assertEquals(0, deleteFailures.get(), "every try but the last failed");
        assertEquals(List.of(2L), inStorage(PIPELINE), "the last try deleted checkpoint 1");
        assertEquals(List.of(), failures, "a retention failure is not the write's");
    }

    /**
     * An older write whose checkpoint lands in storage after a newer one was stored and retained,
     * then fails (its answer lost): a retention pass still runs after it, so it does not outlive
     * the newer one's, which may have been the job's last.
     */
    @Test
    void anOlderWriteThatLandsThenFails_afterANewerOneIsStored_isRetainedAway() throws Exception {
        gate = new CountDownLatch(1);
        waitsAtGate = id -> id == 1;
        failsAfterStore = id -> id == 1;
        PipelineFlusher flusher = flusher(1);
        completeWhileHeld(flusher, 1);
        flusher.completed(complete(2));
        TestWait.until(() -> settled.contains(2L), "checkpoint 2 stored and retained");

        gate.countDown();
        TestWait.until(() -> quiet.get() == 1, "the write of 1 ended");
        assertEquals(List.of(2L), inStorage(PIPELINE), "checkpoint 1 landed late, and was deleted");
        assertEquals(List.of(), failures);
    }

    /** A master deposed while its retention is tried again stops there, and deletes nothing. */
    @Test
    void aMasterDeposedWhileItsRetentionIsTriedAgain_stops_andDeletesNothing() throws Exception {
        PipelineFlusher flusher = flusher(1);
        flusher.completed(complete(1));
        TestWait.until(() -> settled.contains(1L), "checkpoint 1 stored and settled");
        deleteGate = new CountDownLatch(1);
        flusher.completed(complete(2));
        TestWait.until(() -> stored.contains(2L), "checkpoint 2 stored; its retention waits to delete 1");
        new IdLease(new PipelineSnapshots(new InMemoryCheckpointMemory(), PIPELINE, io), calls, io)
                .claim()
                .get(30, TimeUnit.SECONDS);
        deleteFailures.set(1);

        deleteGate.countDown();
        TestWait.until(() -> !deposed.isEmpty(), "the fence check before the second try finds it deposed");
        assertFalse(settled.contains(2L), "the write ended deposed, not settled");
        assertEquals(List.of(1L, 2L), inStorage(PIPELINE), "a deposed master deleted nothing");
    }

    @Test
    void afterEachStore_exactlyMaxRetainedRemain() throws Exception {
        PipelineFlusher flusher = flusher(2);
        for (long id = 1; id <= 5; id++) {
            flusher.completed(complete(id));
            long done = id;
            TestWait.until(() -> settled.contains(done), "stored " + done + ", and retention after it");
        }

        assertEquals(List.of(4L, 5L), inStorage(PIPELINE));
    }

    /** A store that hangs counts as failed after the call timeout, is reported, and is tried again. */
    @Test
    void aHungStore_failsAfterTheCallTimeout_isReported_andRetried() throws Exception {
        gate = new CountDownLatch(1);
        StorageCalls impatient = new StorageCalls(storage, 1_000);
        PipelineFlusher flusher = new PipelineFlusher(snapshots, impatient, lease, 3, io, listener);
        flusher.completed(complete(1));

        TestWait.until(() -> !failures.isEmpty(), "the hung store reported");
        assertTrue(failures.get(0).contains("did not answer within 1000 ms"), failures.get(0));
        assertEquals(List.of(), stored, "nothing stored, nothing to commit");
        gate.countDown();
        TestWait.until(() -> stored.contains(1L), "stored once the storage answers");
        impatient.close();
    }

    @Test
    void aFailingStore_isRetried_andOnlyThenCommitted() throws Exception {
        storageFails = true;
        PipelineFlusher flusher = flusher(3);
        flusher.completed(complete(1));
        TestWait.until(() -> failures.size() >= 2, "retried");
        assertEquals(List.of(), stored);

        storageFails = false;

        TestWait.until(() -> stored.contains(1L), "stored once the storage takes it");
    }

    /**
     * A storage outage: checkpoints keep completing, and however long the retries back off, each
     * completion drops the older waiting ones at once: the map never holds more than the bound.
     */
    @Test
    void whileTheStorageFails_checkpointsKeepCompleting_andTheMapHoldsOnlyWhatTheStorageNeeds() throws Exception {
        storageFails = true;
        PipelineFlusher flusher = flusherBackingOffAnHour(3);
        flusher.completed(complete(1));
        TestWait.until(() -> failures.size() == 1, "the first write failed");

        for (long id = 2; id <= 30; id++) {
            flusher.completed(complete(id));
        }

        TestWait.until(
                () -> snapshots.record().inMemory().size() <= PipelineFlusher.MAX_BACKLOG,
                "older waiting checkpoints dropped as newer ones came");
        assertEquals(30, snapshots.record().lastCompletedId());
        assertTrue(snapshots.record().inMemory().contains(30L), "the newest is kept");
        assertEquals(1, failures.size(), "no retry yet");
        assertEquals(List.of(), stored);
    }

    /**
     * A master that a newer one superseded (a partition it did not notice) may still get a write
     * through, but never hears it is stored (so its sinks commit nothing), and deletes nothing.
     */
    @Test
    void aDeposedMaster_neverCommits_andDeletesNothing() throws Exception {
        PipelineFlusher flusher = flusher(1);
        flusher.completed(complete(1));
        TestWait.until(() -> stored.contains(1L), "stored while it holds the pipeline");
        CheckpointMemory otherSide = new InMemoryCheckpointMemory();
        try {
            new IdLease(new PipelineSnapshots(otherSide, PIPELINE, io), calls, io)
                    .claim()
                    .get(30, TimeUnit.SECONDS);

            flusher.completed(complete(2));

            TestWait.until(() -> !deposed.isEmpty(), "the flusher learns it is deposed");
            assertEquals(List.of(1L), stored, "checkpoint 2 is never reported stored: nothing commits it");
            assertTrue(inStorage(PIPELINE).contains(1L), "retention of a deposed master deleted nothing");
        } finally {
            // nothing to release: the other side is a map in this heap
        }
    }

    private static byte[] sinkState(long id, int sink) {
        byte[] state = new byte[3000 + sink];
        new java.util.Random(id * 10 + sink).nextBytes(state);
        return state;
    }

    /** A manifest: an inline source state and two sink states put aside as parts (3 chunks each). */
    private long completeManifest(long id) throws Exception {
        return completeManifest(id, 2);
    }

    /** A manifest: an inline source state and {@code sinks} sink states put aside as parts. */
    private long completeManifest(long id, int sinks) throws Exception {
        List<TaskState> states = new java.util.ArrayList<>();
        states.add(new TaskState("source-0", new byte[] {(byte) id}));
        for (int sink = 0; sink < sinks; sink++) {
            states.add(StateParts.write(member, PIPELINE, id, "sink-" + sink, sinkState(id, sink), 1024, "m")
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS));
        }
        snapshots
                .add(new CompletedCheckpoint(
                        PIPELINE, CheckpointId.of(id), CheckpointType.CHECKPOINT, 1, 2, states, Map.of()))
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        return id;
    }

    private static long part(long checkpoint, int ordinal) {
        return FileLayout.partId(CheckpointId.of(checkpoint), ordinal).value();
    }

    @Test
    void aManifestsPartsAreStoredBeforeIt_retentionPrunesOlderParts_andAFreshClusterRestoresTheState()
            throws Exception {
        PipelineFlusher flusher = flusher(2);
        for (long id = 1; id <= 4; id++) {
            flusher.completed(completeManifest(id));
            long done = id;
            TestWait.until(() -> settled.contains(done), "checkpoint " + done + " stored, and retention after it");
        }

        assertEquals(List.of(3L, 4L), inStorage(PIPELINE));
        assertEquals(
                List.of(part(3, 1), part(3, 2), part(4, 1), part(4, 2)),
                inStorage(FileLayout.partsOf(PIPELINE)),
                "the parts of the retained checkpoints, and only those");
        assertEquals(java.util.Set.of(4L), member.chunkedIds(PIPELINE), "the map keeps the latest's chunks only");

        // A cluster restarted from storage alone: the planner reads the parts and verifies them.
        PipelineSnapshots fresh = new PipelineSnapshots(new InMemoryCheckpointMemory(), PIPELINE, io);
        RecoveryPlanner.Recovery recovery = RecoveryPlanner.plan(fresh, storage, "", true);
        CompletedCheckpoint restored = recovery.checkpoint().orElseThrow();
        assertEquals(4, restored.id().value());
        assertTrue(restored.allInline());
        assertArrayEquals(
                sinkState(4, 0), restored.state("sink-0").orElseThrow().state());
        assertArrayEquals(
                sinkState(4, 1), restored.state("sink-1").orElseThrow().state());

        // A part gone from storage makes its manifest unusable, with the reason: the older one is used.
        storage.delete(FileLayout.partsOf(PIPELINE), CheckpointId.of(part(4, 2)));
        recovery = RecoveryPlanner.plan(fresh, storage, "", true);
        assertEquals(3, recovery.checkpoint().orElseThrow().id().value());
        assertTrue(
                recovery.skipped().get(0).contains("MISSING_PART"),
                recovery.skipped().toString());
        assertEquals(List.of(4L), recovery.unusableNewer());
    }

    @Test
    void whilePartsCannotBeStored_theManifestIsNot_andNothingIsCommitted() throws Exception {
        partsFail = true;
        PipelineFlusher flusher = flusher(3);
        flusher.completed(completeManifest(1));
        TestWait.until(() -> failures.size() >= 2, "the write fails, and is retried");
        assertEquals(List.of(), stored);
        assertEquals(List.of(), inStorage(PIPELINE), "no manifest before its parts");

        partsFail = false;
        TestWait.until(() -> stored.contains(1L), "stored once the parts can be");
        assertEquals(List.of(1L), inStorage(PIPELINE));
        assertEquals(List.of(part(1, 1), part(1, 2)), inStorage(FileLayout.partsOf(PIPELINE)));
    }

    @Test
    void aManifestWhoseChunksTheMapLost_isNeverStored_norCommitted() throws Exception {
        gate = new CountDownLatch(1);
        PipelineFlusher flusher = flusher(3);
        completeWhileHeld(flusher, complete(1));
        completeManifest(2);
        member.deleteChunks(PIPELINE, 2); // every replica of its chunks lost
        CompletableFuture<Void> waiter = flusher.whenStored(2);
        CompletableFuture<Void> older = flusher.whenStored(1);
        flusher.completed(2);
        TestWait.until(() -> lost.contains(2L), "checkpoint 2 given up while 1 is written");
        TestWait.until(() -> snapshots.record().unstored().equals(List.of(1L)), "2 dropped from the map");
        assertFalse(snapshots.record().isStored(1), "giving 2 up takes nothing older as stored");
        assertFalse(older.isDone(), "who waits for checkpoint 1 waits for its write");

        gate.countDown();
        TestWait.until(() -> stored.contains(1L), "checkpoint 1 stored");
        older.get(30, TimeUnit.SECONDS);
        assertEquals(List.of(1L), stored, "checkpoint 2 is never reported stored");
        assertEquals(List.of(2L), lost, "but reported lost");
        ExecutionException told = assertThrows(ExecutionException.class, () -> waiter.get(30, TimeUnit.SECONDS));
        assertTrue(
                told.getCause().getMessage().contains("checkpoint 2 of " + PIPELINE + " cannot be stored"),
                "who waits for it to be stored is told it never will be: " + told.getCause());
        assertEquals(List.of(1L), inStorage(PIPELINE));
        assertEquals(List.of(), inStorage(FileLayout.partsOf(PIPELINE)));

        // A restart now goes back to the stored checkpoint 1, saying why it could not use 2.
        RecoveryPlanner.Recovery recovery = RecoveryPlanner.plan(snapshots, storage, "", false);
        assertEquals(1, recovery.checkpoint().orElseThrow().id().value());
        assertEquals(List.of(2L), recovery.unusableNewer());
        assertTrue(
                recovery.skipped().toString().contains("checkpoint 2 of " + PIPELINE + " is not in the snapshot map"),
                recovery.skipped().toString());
    }

    /**
     * A checkpoint superseded while its parts are being stored (a newer one was stored meanwhile,
     * and its chunks were dropped with it) is given up quietly: the newer one stands for it, so it
     * is neither reported lost nor a failed write.
     */
    @Test
    void aManifestSupersededWhileItsPartsAreStored_isGivenUpQuietly() throws Exception {
        gate = new CountDownLatch(1);
        long first = part(1, 1);
        long second = part(1, 2);
        waitsAtGate = id -> id == first || id == second; // the first part of each lane of checkpoint 1
        PipelineFlusher flusher = flusher(3);
        flusher.completed(completeManifest(1, 3));
        TestWait.until(
                () -> storesStarted.containsAll(List.of(first, second)), "checkpoint 1's first parts being stored");

        flusher.completed(completeManifest(2, 3));
        TestWait.until(() -> settled.contains(2L), "checkpoint 2 stored meanwhile");
        assertTrue(!member.chunkedIds(PIPELINE).contains(1L), "checkpoint 1's chunks dropped with it");

        gate.countDown(); // checkpoint 1's third part is read next: its chunks are gone
        TestWait.until(() -> flusher.settled(1), "checkpoint 1 given up");
        assertEquals(List.of(), lost, "nothing is lost: checkpoint 2 stands for 1");
        assertEquals(List.of(), failures);
        assertEquals(List.of(2L), stored);
        assertEquals(List.of(2L), inStorage(PIPELINE));
        assertEquals(
                List.of(part(2, 1), part(2, 2), part(2, 3)),
                inStorage(FileLayout.partsOf(PIPELINE)),
                "checkpoint 1's parts, landed after checkpoint 2's retention, were retained away");
    }

    /**
     * The newest checkpoint, given up while its parts are stored (its last part's chunks are gone):
     * the parts that did land are deleted, not left in storage with no manifest to name them.
     */
    @Test
    void aManifestGivenUpWhileItsPartsAreStored_leavesNoPartBehind() throws Exception {
        PipelineFlusher flusher = flusher(3);
        flusher.completed(complete(1));
        TestWait.until(() -> settled.contains(1L), "checkpoint 1 stored");
        gate = new CountDownLatch(1);
        long first = part(2, 1);
        long second = part(2, 2);
        waitsAtGate = id -> id == first || id == second;
        flusher.completed(completeManifest(2, 3));
        TestWait.until(
                () -> storesStarted.containsAll(List.of(first, second)), "checkpoint 2's first parts being stored");
        member.deleteChunks(PIPELINE, 2); // every replica of its chunks lost

        gate.countDown(); // its first two parts land; the third is read next: its chunks are gone
        TestWait.until(() -> lost.contains(2L) && quiet.get() > 0 && flusher.idle(), "checkpoint 2 given up");
        assertEquals(List.of(1L), inStorage(PIPELINE));
        assertEquals(List.of(), inStorage(FileLayout.partsOf(PIPELINE)), "the parts that landed were deleted");
    }

    /**
     * A checkpoint the map lost, that the map then cannot drop (the update fails): no one is told
     * it is lost while a restart could still find it there, and the flusher tries again after a
     * backoff, not at once and forever. Once the map answers it is given up, and reported once.
     */
    @Test
    void aLostCheckpointTheMapCannotDrop_isTriedAgainAfterABackoff_andReportedOnceDropped() throws Exception {
        PipelineFlusher flusher = storedOneLostTwo();
        refuseDropping = 2;
        CompletableFuture<Void> waiter = flusher.whenStored(2);

        flusher.completed(2);
        TestWait.until(() -> refusedDrops.get() >= 1, "the map refused to drop checkpoint 2");
        Thread.sleep(500);
        assertTrue(lost.isEmpty(), "reported lost " + lost.size() + " times while the map still holds it");
        assertFalse(waiter.isDone(), "nor is who waits for it told");
        assertTrue(
                refusedDrops.get() <= 4,
                "tried again after 100, 200, 400 ms, not at once: " + refusedDrops.get() + " tries in 500 ms");

        refuseDropping = -1;
        TestWait.until(() -> lost.contains(2L), "given up once the map answers");
        assertEquals(List.of(2L), lost);
        assertThrows(ExecutionException.class, () -> waiter.get(30, TimeUnit.SECONDS));
        assertFalse(snapshots.record().inMemory().contains(2L));
        assertEquals(List.of(1L), stored);
    }

    /**
     * The map drops a lost checkpoint but its answer is lost (the update fails after it applied):
     * the checkpoint is no longer in the record for any pass to find, so it is given up again from
     * here, which the map answers, and reported once.
     */
    @Test
    void aLostCheckpointDroppedWithoutAnAnswer_isStillReportedLost() throws Exception {
        PipelineFlusher flusher = storedOneLostTwo();
        answerLostFor = 2;

        flusher.completed(2);

        TestWait.until(() -> lost.contains(2L), "reported lost");
        assertEquals(-1, answerLostFor, "the first drop applied, and its answer was lost");
        assertEquals(List.of(2L), lost);
        assertFalse(snapshots.record().inMemory().contains(2L));
        TestWait.until(flusher::idle, "its write ended");
    }

    /** A flusher that stored checkpoint 1; checkpoint 2 is a manifest whose chunks the map lost. */
    private PipelineFlusher storedOneLostTwo() throws Exception {
        PipelineFlusher flusher = flusher(3);
        flusher.completed(complete(1));
        TestWait.until(() -> settled.contains(1L), "checkpoint 1 stored");
        completeManifest(2);
        member.deleteChunks(PIPELINE, 2); // every replica of its chunks lost
        return flusher;
    }

    /** Which checkpoint the map refuses to drop from the pipeline's record (-1: none). */
    private volatile long refuseDropping = -1;

    private final AtomicInteger refusedDrops = new AtomicInteger();

    /** Which checkpoint's drop the map applies once but answers with a failure (-1: none). */
    private volatile long answerLostFor = -1;

    /** The test's memory, whose record updates fail while they would drop {@link #refuseDropping}. */
    private final class RefusingDrops implements CheckpointMemory {
        private final CheckpointMemory delegate;

        RefusingDrops(CheckpointMemory delegate) {
            this.delegate = delegate;
        }

        @Override
        public PipelineRecord update(PipelineKey pipeline, UnaryOperator<PipelineRecord> change) {
            long refused = refuseDropping;
            PipelineRecord now = delegate.record(pipeline);
            if (refused >= 0 && now.inMemory().contains(refused)) {
                PipelineRecord after;
                try {
                    after = change.apply(now);
                } catch (RuntimeException e) {
                    after = now;
                }
                if (!after.inMemory().contains(refused)) {
                    refusedDrops.incrementAndGet();
                    throw new IllegalStateException("the map does not answer");
                }
            }
            long answerLost = answerLostFor;
            if (answerLost >= 0 && now.inMemory().contains(answerLost)) {
                PipelineRecord after = delegate.update(pipeline, change);
                if (!after.inMemory().contains(answerLost)) {
                    answerLostFor = -1;
                    throw new IllegalStateException("the map's answer was lost");
                }
                return after;
            }
            return delegate.update(pipeline, change);
        }

        @Override
        public PipelineRecord record(PipelineKey pipeline) {
            return delegate.record(pipeline);
        }

        @Override
        public void put(PipelineKey pipeline, long id, byte[] blob) {
            delegate.put(pipeline, id, blob);
        }

        @Override
        public Optional<byte[]> get(PipelineKey pipeline, long id) {
            return delegate.get(pipeline, id);
        }

        @Override
        public void delete(PipelineKey pipeline, long id) {
            delegate.delete(pipeline, id);
        }

        @Override
        public void remove(PipelineKey pipeline) {
            delegate.remove(pipeline);
        }

        @Override
        public CompletionStage<Void> putChunk(ChunkKey key, byte[] chunk) {
            return delegate.putChunk(key, chunk);
        }

        @Override
        public Optional<byte[]> getChunk(ChunkKey key) {
            return delegate.getChunk(key);
        }

        @Override
        public void deleteChunks(PipelineKey pipeline, long id) {
            delegate.deleteChunks(pipeline, id);
        }

        @Override
        public void deleteChunks(Collection<ChunkKey> keys) {
            delegate.deleteChunks(keys);
        }

        @Override
        public Set<Long> chunkedIds(PipelineKey pipeline) {
            return delegate.chunkedIds(pipeline);
        }
    }

    /** The real storage; checkpoint stores wait at the test's gate and can be made to fail. */
    private final class Held extends ForwardingCheckpointStorage {
        Held(CheckpointStorage delegate) {
            super(delegate);
        }

        @Override
        public void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
            if (FileLayout.holdsIds(pipeline)) {
                super.delete(pipeline, id); // a lease claim drops older markers: not the deletes held here
                return;
            }
            try {
                deleteGate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CheckpointStorageException("interrupted", e);
            }
            if (deleteFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new CheckpointStorageException("disk on fire");
            }
            super.delete(pipeline, id);
        }

        @Override
        public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
            if (FileLayout.holdsIds(pipeline)) {
                super.store(pipeline, id, data);
                return;
            }
            if (storageFails || (partsFail && FileLayout.holdsParts(pipeline))) {
                throw new CheckpointStorageException("disk on fire");
            }
            storesStarted.add(id.value());
            mostAtOnce.accumulateAndGet(storing.incrementAndGet(), Math::max);
            try {
                if (waitsAtGate.test(id.value())) {
                    gate.await();
                }
                if (failsAfterGate.test(id.value())) {
                    throw new CheckpointStorageException("disk on fire");
                }
                super.store(pipeline, id, data);
                if (failsAfterStore.test(id.value())) {
                    throw new CheckpointStorageException("the answer was lost");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CheckpointStorageException("interrupted", e);
            } finally {
                storing.decrementAndGet();
            }
        }
    }
}
