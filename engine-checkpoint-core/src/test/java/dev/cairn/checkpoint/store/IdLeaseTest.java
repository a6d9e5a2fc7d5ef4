package dev.cairn.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint ids only grow, across a full restart too: real Hazelcast members (a "full restart" is
 * a new member with empty memory) and the {@code localfile} plugin, which can be made to refuse
 * writes.
 */
class IdLeaseTest {
    private static final PipelineKey PIPELINE = PipelineKey.of("job-1", "1");

    @TempDir
    Path dir;

    private final List<HazelcastInstance> members = new ArrayList<>();
    private final ExecutorService io = Executors.newSingleThreadExecutor();
    private CheckpointStorage storage;
    private volatile boolean storageRefusesWrites;
    private volatile boolean storageDown;

    @BeforeEach
    void openStorage() throws Exception {
        CheckpointStorage real = CheckpointStorageFactories.find(
                        "localfile", getClass().getClassLoader())
                .create(Map.of("namespace", dir.toString()));
        storage = new Refusing(real);
    }

    @AfterEach
    void close() {
        members.forEach(HazelcastInstance::shutdown);
        io.shutdownNow();
        storage.close();
    }

    /** A new cluster of one member, with empty memory: what a full restart starts with. */
    private IdLease newCluster() throws Exception {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(SnapshotMaps.configure(CairnMember.localConfig(), 0));
        members.add(member);
        IdLease ids = new IdLease(new PipelineSnapshots(new SnapshotMaps(member), PIPELINE, io), storage, io);
        return ids;
    }

    private static long next(IdLease ids) throws Exception {
        return ids.next().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private List<CheckpointId> leases() throws CheckpointStorageException {
        return storage.list(FileLayout.idsOf(PIPELINE));
    }

    @Test
    void afterAFullRestart_noIdIsIssuedAgain_evenOnesThatNeverReachedStorage() throws Exception {
        IdLease first = newCluster();
        for (long expected = 1; expected <= 5; expected++) {
            assertEquals(expected, next(first));
        }
        assertEquals(List.of(CheckpointId.of(IdLease.BLOCK)), leases(), "the lease is stored before id 1 is issued");

        members.get(0).getLifecycleService().terminate(); // the whole cluster: its memory is gone
        IdLease second = newCluster();

        assertEquals(IdLease.BLOCK + 1, next(second), "above every id the lost cluster may have issued");
    }

    @Test
    void anAttemptRestartInALivingCluster_continuesTheCount() throws Exception {
        IdLease first = newCluster();
        next(first);
        next(first);

        IdLease restarted =
                new IdLease(new PipelineSnapshots(new SnapshotMaps(members.get(0)), PIPELINE, io), storage, io);

        assertEquals(3, next(restarted), "no jump while the cluster remembers its lease");
    }

    @Test
    void theLeaseIsExtendedBeforeTheFirstIdAboveIt_andOnlyTheHighestIsKept() throws Exception {
        IdLease ids = newCluster();
        for (long expected = 1; expected <= IdLease.BLOCK; expected++) {
            assertEquals(expected, next(ids));
        }
        assertEquals(List.of(CheckpointId.of(IdLease.BLOCK)), leases());

        assertEquals(IdLease.BLOCK + 1, next(ids));

        assertEquals(List.of(CheckpointId.of(2 * IdLease.BLOCK)), leases());
    }

    @Test
    void whileTheStorageRefusesTheLease_noIdAboveItIsIssued_andTheReasonIsGiven() throws Exception {
        IdLease ids = newCluster();
        storageRefusesWrites = true;

        ExecutionException refused = assertThrows(ExecutionException.class, () -> next(ids));

        String message = String.valueOf(refused.getCause().getMessage());
        assertTrue(message.contains("cannot store the checkpoint id lease up to 100 of job job-1 pipeline 1"), message);
        assertTrue(message.contains("disk on fire"), message);
        assertEquals(List.of(), leases());

        storageRefusesWrites = false;
        assertEquals(1, next(ids), "no id was used up by the refusal");
    }

    @Test
    void whileTheLeaseLasts_theStorageNeedNotAnswer() throws Exception {
        IdLease ids = newCluster();
        assertEquals(1, next(ids));
        storageDown = true;
        storageRefusesWrites = true;

        assertEquals(2, next(ids));
        assertEquals(3, next(ids));
    }

    @Test
    void theLeaseIsNotACheckpoint_ofTheJob() throws Exception {
        next(newCluster());

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
