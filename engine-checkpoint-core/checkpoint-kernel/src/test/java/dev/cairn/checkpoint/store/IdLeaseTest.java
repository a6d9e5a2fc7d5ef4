package dev.cairn.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.TestWait;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease on checkpoint ids and the master's epoch, held in storage: ids only grow across master
 * changes and full restarts, never collide between epochs, and a superseded master learns it is.
 * Each "side" of a partition, or a cluster after a full restart, is a memory of its own ({@link
 * InMemoryCheckpointMemory}); all share one {@code localfile} storage, which can be made to refuse.
 */
class IdLeaseTest {
    private static final PipelineKey PIPELINE = PipelineKey.of("job-1", "1");
    private static final long BLOCK = IdLease.BLOCK;

    @TempDir
    Path dir;

    private final ExecutorService io = Executors.newSingleThreadExecutor();
    private CheckpointStorage storage;
    private StorageCalls calls;
    private volatile boolean storageRefusesWrites;
    private volatile boolean storageDown;
    /** Runs once, right before the next store of a lease marker reaches the storage. */
    private final AtomicReference<Runnable> beforeNextStore = new AtomicReference<>();

    @BeforeEach
    void openStorage() throws Exception {
        CheckpointStorage real = CheckpointStorageFactories.find(
                        "localfile", getClass().getClassLoader())
                .create(Map.of("namespace", dir.toString()));
        storage = new Refusing(real);
        calls = new StorageCalls(storage, 30_000);
    }

    @AfterEach
    void close() {
        io.shutdownNow();
        calls.close();
        storage.close();
    }

    /** A memory of its own: a cluster after a full restart, or one side of a partition. */
    private static CheckpointMemory newMember() {
        return new InMemoryCheckpointMemory();
    }

    private IdLease lease(CheckpointMemory member) {
        return new IdLease(new PipelineSnapshots(member, PIPELINE, io), calls, io);
    }

    /** A new master on {@code member}, having claimed the pipeline. */
    private IdLease master(CheckpointMemory member) throws Exception {
        IdLease lease = lease(member);
        lease.claim().get(30, TimeUnit.SECONDS);
        return lease;
    }

    private static long next(IdLease ids) throws Exception {
        return ids.next().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private List<Long> markers() throws CheckpointStorageException {
        return storage.list(FileLayout.idsOf(PIPELINE)).stream()
                .map(CheckpointId::value)
                .toList();
    }

    private String marker(long id) throws CheckpointStorageException {
        return new String(
                storage.load(FileLayout.idsOf(PIPELINE), CheckpointId.of(id)).orElseThrow(), StandardCharsets.US_ASCII);
    }

    @Test
    void theFirstMaster_claimsEpochOne_andIssuesFromOne() throws Exception {
        IdLease ids = master(newMember());

        assertEquals(1, ids.epoch());
        for (long expected = 1; expected <= 5; expected++) {
            assertEquals(expected, next(ids));
        }
        assertEquals(List.of(2 * BLOCK), markers(), "the claim is stored before id 1 is issued");
        assertTrue(marker(2 * BLOCK).startsWith("epoch 1\n"), marker(2 * BLOCK));
    }

    @Test
    void afterAFullRestart_theEpochGrows_andNoIdIsIssuedAgain_evenOnesThatNeverReachedStorage() throws Exception {
        IdLease first = master(newMember());
        for (long i = 1; i <= 5; i++) {
            next(first);
        }
        // The whole cluster is gone, and its memory with it.

        IdLease second = master(newMember());

        assertEquals(2, second.epoch());
        assertEquals(2 * BLOCK + 1, next(second), "above every id the lost cluster's lease allowed");
    }

    @Test
    void aLeaseFromBeforeEpochs_countsAsEpochZero() throws Exception {
        storage.store(
                FileLayout.idsOf(PIPELINE),
                CheckpointId.of(300),
                new java.io.ByteArrayInputStream("checkpoint ids up to 300 of job-1/1 may have been issued\n"
                        .getBytes(StandardCharsets.US_ASCII)));

        IdLease ids = master(newMember());

        assertEquals(1, ids.epoch());
        assertEquals(301, next(ids));
    }

    @Test
    void aNewMasterInALivingCluster_claimsTheNextEpoch_andTheOldOneIsDeposed() throws Exception {
        CheckpointMemory member = newMember();
        IdLease old = master(member);
        next(old);
        next(old);

        IdLease successor = master(member);

        assertEquals(2, successor.epoch());
        assertEquals(2 * BLOCK + 1, next(successor), "above the old master's whole lease");
        ExecutionException verify =
                assertThrows(ExecutionException.class, () -> old.verify().get(30, TimeUnit.SECONDS));
        assertInstanceOf(DeposedException.class, verify.getCause());
        ExecutionException issue = assertThrows(ExecutionException.class, () -> next(old));
        assertInstanceOf(DeposedException.class, issue.getCause(), "the record belongs to epoch 2 now");
    }

    @Test
    void twoSidesOfAPartition_neverIssueTheSameId_andTheOldSideLearnsItIsDeposed() throws Exception {
        IdLease old = master(newMember());
        List<Long> oldIds = new ArrayList<>();
        for (long i = 1; i < 2 * BLOCK; i++) {
            oldIds.add(next(old)); // 1..199: its claim covers them
        }

        IdLease other = master(newMember()); // the other side, with a memory of its own
        long first = next(other);

        assertTrue(first > 2 * BLOCK, "the new epoch starts above the old lease: " + first);
        assertEquals(199, oldIds.get(oldIds.size() - 1));
        assertEquals(200, next(old), "the old side may use up the lease it holds");
        ExecutionException extend = assertThrows(ExecutionException.class, () -> next(old));
        assertInstanceOf(DeposedException.class, extend.getCause(), "but never extend it past the new claim");
        assertInstanceOf(
                DeposedException.class,
                assertThrows(ExecutionException.class, () -> old.verify().get(30, TimeUnit.SECONDS))
                        .getCause());
        assertEquals(1 + 2 * BLOCK, first);
    }

    /**
     * The old master stores its next lease marker just as the new one claims: it stores, then lists.
     * Whichever way the two interleave, either the new master starts above the old one's new block,
     * or the old one sees the claim and issues nothing from it.
     */
    @Test
    void anExtensionRacingAClaim_neverLetsTheOldMasterIssueAnIdTheNewOneWill() throws Exception {
        CheckpointMemory oldSide = newMember();
        IdLease old = master(oldSide);
        for (long i = 1; i <= 2 * BLOCK; i++) {
            next(old); // uses up its claim: the next id needs an extension
        }
        CheckpointMemory newSide = newMember();
        AtomicReference<IdLease> successor = new AtomicReference<>();
        // The new side claims between the old side's list and its store of the extension.
        beforeNextStore.set(() -> {
            try {
                successor.set(master(newSide));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        ExecutionException extend = assertThrows(ExecutionException.class, () -> next(old));

        assertInstanceOf(DeposedException.class, extend.getCause(), "it lists after it stores, and sees the claim");
        long first = next(successor.get());
        assertTrue(first > 2 * BLOCK, "no id of the new epoch is one the old master had: " + first);
    }

    /** The other interleaving: the old master's extension lands between the claim's list and store. */
    @Test
    void anExtensionLandingInsideAClaim_makesTheNewMasterStartAboveIt() throws Exception {
        IdLease old = master(newMember());
        for (long i = 1; i <= 2 * BLOCK; i++) {
            next(old);
        }
        // The old side's extension to 300 lands just before the new side's claim is stored.
        beforeNextStore.set(() -> {
            try {
                assertEquals(2 * BLOCK + 1, next(old), "the old side did not see the claim yet");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        IdLease successor = master(newMember());

        assertEquals(3 * BLOCK + 1, next(successor), "above the old side's new block, whatever it issues from it");
    }

    @Test
    void theLeaseIsExtendedBeforeTheFirstIdAboveIt_andOnlyTheHighestIsKept() throws Exception {
        IdLease ids = master(newMember());
        for (long expected = 1; expected <= 2 * BLOCK; expected++) {
            assertEquals(expected, next(ids));
        }

        assertEquals(2 * BLOCK + 1, next(ids));

        TestWait.until(() -> markers().equals(List.of(3 * BLOCK)), "only the highest marker is kept");
        assertTrue(marker(3 * BLOCK).startsWith("epoch 1\n"), "an extension keeps the epoch");
    }

    @Test
    void whileTheStorageRefuses_noMasterClaims_andTheReasonIsGiven() throws Exception {
        IdLease ids = lease(newMember());
        storageRefusesWrites = true;

        ExecutionException refused =
                assertThrows(ExecutionException.class, () -> ids.claim().get(30, TimeUnit.SECONDS));

        assertTrue(String.valueOf(refused.getCause().getMessage()).contains("disk on fire"), refused.toString());
        assertEquals(List.of(), markers());

        storageRefusesWrites = false;
        ids.claim().get(30, TimeUnit.SECONDS);
        assertEquals(1, next(ids), "no id was used up by the refusal");
    }

    @Test
    void whileTheLeaseLasts_theStorageNeedNotAnswer() throws Exception {
        IdLease ids = master(newMember());
        assertEquals(1, next(ids));
        storageDown = true;
        storageRefusesWrites = true;

        assertEquals(2, next(ids));
        assertEquals(3, next(ids));
    }

    @Test
    void theLeaseIsNotACheckpoint_ofTheJob() throws Exception {
        next(master(newMember()));

        assertEquals(List.of(), storage.list(PIPELINE), "no checkpoint was stored");
        assertEquals(List.of(FileLayout.idsOf(PIPELINE)), storage.pipelines(JobId.of("job-1")));
        assertTrue(FileLayout.holdsIds(FileLayout.idsOf(PIPELINE)));
    }

    /** The real storage, refusing writes while the test says so. */
    private final class Refusing extends ForwardingCheckpointStorage {
        Refusing(CheckpointStorage delegate) {
            super(delegate);
        }

        @Override
        public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
            if (storageRefusesWrites) {
                throw new CheckpointStorageException("disk on fire");
            }
            Runnable hook = beforeNextStore.getAndSet(null);
            if (hook != null) {
                hook.run();
            }
            super.store(pipeline, id, data);
        }

        @Override
        public List<CheckpointId> list(PipelineKey pipeline) throws CheckpointStorageException {
            if (storageDown) {
                throw new CheckpointStorageException("unreachable");
            }
            return super.list(pipeline);
        }
    }
}
