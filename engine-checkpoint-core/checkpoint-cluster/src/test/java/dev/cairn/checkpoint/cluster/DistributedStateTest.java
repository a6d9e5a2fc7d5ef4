package dev.cairn.checkpoint.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.map.IMap;
import com.hazelcast.map.MapInterceptor;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.test.Accessors;
import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.bench.BenchJob;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.StateParts;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task states above {@code inline-state-limit} on three members: they stay on the member that took
 * them, each member stores its own parts, the master stores only manifests, and a cluster started
 * afresh on the same storage restores from manifest and parts. A restart under the same master
 * reads each task's part on the member that will run it, and falls back past a restore point
 * whose part is gone.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DistributedStateTest {
    private static final int MEMBERS = 3;

    @TempDir
    Path dir;

    /** How many parts each storage instance (one per member) loaded. */
    private final Map<Integer, AtomicInteger> partsLoadedBy = new ConcurrentHashMap<>();

    /** Which storage instance (one per member) stored what: "parts" or "manifests". */
    private final Map<String, Set<Integer>> storedBy = new ConcurrentHashMap<>();

    private final AtomicInteger instances = new AtomicInteger();

    private EngineConfig config(int inlineStateLimit, Duration interval) {
        EngineConfig config = EngineConfig.builder()
                .checkpointInterval(interval)
                .checkpointTimeout(Duration.ofSeconds(20))
                .storage(
                        "localfile",
                        Map.of("namespace", dir.resolve("checkpoints").toString()))
                .maxRetained(1000) // every checkpoint stays for the checks below
                .build();
        return config.withCheckpoint(config.checkpoint().withInlineStateLimit(inlineStateLimit));
    }

    private InProcessCluster cluster(int inlineStateLimit) throws Exception {
        return cluster(inlineStateLimit, Duration.ofMillis(300));
    }

    private InProcessCluster cluster(int inlineStateLimit, Duration interval) throws Exception {
        InProcessCluster cluster = new InProcessCluster(
                config(inlineStateLimit, interval), getClass().getClassLoader(), Recording::new);
        for (int i = 0; i < MEMBERS; i++) {
            cluster.addMember();
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (!cluster.formed(MEMBERS)) {
            assertTrue(System.currentTimeMillis() < deadline, "the cluster formed");
            Thread.sleep(50);
        }
        return cluster;
    }

    private static JobSpec job() {
        return job(20_000);
    }

    private static JobSpec job(int stateBytes) {
        return new JobSpec(
                JobId.of("big-state"),
                BenchJob.TYPE,
                Map.of(
                        BenchJob.PARALLELISM,
                        "6",
                        BenchJob.STATE_BYTES,
                        Integer.toString(stateBytes),
                        BenchJob.RATE,
                        "600"));
    }

    @Test
    void eachMemberStoresItsOwnParts_theMasterOnlyManifests_andAFreshClusterRestoresFromThem() throws Exception {
        PipelineKey pipeline = PipelineKey.of("big-state", "1");
        // First with the default limit: 20 KB states travel inline, checkpoints are stored in format 1.
        try (InProcessCluster cluster = cluster(64 * 1024)) {
            JobHandle job = cluster.members().get(0).engine().submit(job());
            awaitCommitted(job, 2);
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        try (CheckpointStorage storage = open()) {
            List<CheckpointId> stored = storage.list(pipeline);
            assertEquals(
                    1,
                    SnapshotCodec.readHeader(storage.load(pipeline, stored.get(stored.size() - 1))
                                    .orElseThrow())
                            .version());
            assertEquals(List.of(), storage.list(FileLayout.partsOf(pipeline)));
        }
        storedBy.clear();

        // Then with a 1 KB limit: the job resumes from the format-1 checkpoint and goes on in manifests.
        try (InProcessCluster cluster = cluster(1024)) {
            JobHandle job = cluster.members().get(0).engine().submit(job());
            JobStatus status = awaitCommitted(job, 4);
            assertTrue(status.restoredFrom().contains("(storage)"), "resumed: " + status.restoredFrom());
            job.cancel().get(60, TimeUnit.SECONDS);
        }

        try (CheckpointStorage storage = open()) {
            List<CheckpointId> manifests = storage.list(pipeline);
            assertFalse(manifests.isEmpty(), "checkpoints stored");
            for (CheckpointId id : manifests.subList(manifests.size() - 1, manifests.size())) {
                CompletedCheckpoint manifest =
                        SnapshotCodec.decode(storage.load(pipeline, id).orElseThrow());
                assertEquals(
                        2,
                        SnapshotCodec.readHeader(storage.load(pipeline, id).orElseThrow())
                                .version());
                assertEquals(
                        6,
                        manifest.taskStates().stream().filter(s -> !s.inline()).count(),
                        "6 states of 20 KB");
                // Every part it names is stored and verifies.
                StateParts.resolve(manifest, null, storage, pipeline);
            }
        }
        assertEquals(1, storedBy.get("manifests").size(), "one master stored every manifest: " + storedBy);
        assertTrue(storedBy.get("parts").size() > 1, "parts were stored by the members that held them: " + storedBy);

        // A whole new cluster on the same storage: the job resumes from a manifest and its parts,
        // each read by the member that runs its task, which also writes and stores it as a part of
        // the new master's copy of the restore point.
        storedBy.clear();
        partsLoadedBy.clear();
        long before;
        try (CheckpointStorage storage = open()) {
            before = storage.list(pipeline)
                    .get(storage.list(pipeline).size() - 1)
                    .value();
        }
        try (InProcessCluster cluster = cluster(1024)) {
            JobHandle job = cluster.members().get(0).engine().submit(job());
            JobStatus status = awaitCommitted(job, 2);
            assertEquals("checkpoint " + before + " (storage)", status.restoredFrom());
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        assertEquals(
                6, partsLoadedBy.values().stream().mapToInt(AtomicInteger::get).sum(), "" + partsLoadedBy);
        assertTrue(partsLoadedBy.size() > 1, "members read their own tasks' parts: " + partsLoadedBy);
        assertTrue(storedBy.get("parts").size() > 1, "members stored the copy's parts: " + storedBy);
        try (CheckpointStorage storage = open()) {
            CheckpointId copy = storage.list(pipeline).stream()
                    .filter(id -> id.value() > before)
                    .findFirst()
                    .orElseThrow();
            CompletedCheckpoint manifest =
                    SnapshotCodec.decode(storage.load(pipeline, copy).orElseThrow());
            assertEquals("checkpoint " + before, manifest.metadata().get(CompletedCheckpoint.META_COPY_OF));
            assertEquals(
                    6, manifest.taskStates().stream().filter(s -> !s.inline()).count(), "a manifest");
            StateParts.resolve(manifest, null, storage, pipeline); // its parts are stored and verify
        }
    }

    @Test
    void aRestartReadsEachTasksPartOnTheMemberThatRunsIt_andFallsBackPastOneThatIsGone() throws Exception {
        PipelineKey pipeline = PipelineKey.of("big-state", "1");
        PipelineKey savepoints = FileLayout.savepointsOf(pipeline);
        // No periodic checkpoints: the savepoints taken here are the only restore points.
        try (InProcessCluster cluster = cluster(1024, Duration.ofHours(1))) {
            JobHandle job = cluster.members().get(0).engine().submit(job());
            awaitRunning(job, 0);
            long older = savepoint(job);
            long newer = savepoint(job);

            // The map loses every chunk: each member reads its tasks' parts from storage itself.
            dropChunks(cluster);
            partsLoadedBy.clear();
            BenchJob.FAIL_ONCE.add("big-state");
            JobStatus status = awaitRunning(job, 1);
            assertEquals("savepoint " + newer + " (memory)", status.restoredFrom(), "" + status);
            assertEquals(
                    6,
                    partsLoadedBy.values().stream().mapToInt(AtomicInteger::get).sum(),
                    "" + partsLoadedBy);
            assertTrue(partsLoadedBy.size() > 1, "members read their own tasks' parts: " + partsLoadedBy);

            // Now the newer savepoint's parts are gone from storage too: the restart falls back
            // to the older one, and says which output may repeat.
            dropChunks(cluster);
            try (CheckpointStorage storage = open()) {
                for (int n = 0; n < 6; n++) {
                    storage.delete(FileLayout.partsOf(savepoints), FileLayout.partId(CheckpointId.of(newer), n));
                }
            }
            BenchJob.FAIL_ONCE.add("big-state");
            status = awaitRunning(job, 2);
            assertEquals("savepoint " + older + " (storage)", status.restoredFrom());
            assertTrue(
                    status.warning() != null && status.warning().contains("[" + newer + "]"),
                    "the job record says what may repeat: " + status.warning());
            job.cancel().get(60, TimeUnit.SECONDS);
        } finally {
            BenchJob.FAIL_ONCE.remove("big-state");
        }
    }

    @Test
    void aRestartFromMemoryRunsEachSubtaskWhereItsPartIs_unlessItFailedTwiceInARow() throws Exception {
        int stateBytes = 2 * 1024 * 1024;
        try (InProcessCluster cluster = cluster(1024, Duration.ofHours(1))) {
            JobHandle job = cluster.members().get(0).engine().submit(job(stateBytes));
            awaitRunning(job, 0);
            long id = savepoint(job);

            long before = bytesRead(cluster);
            BenchJob.FAIL_ONCE.add("big-state");
            JobStatus status = awaitRunning(job, 1);
            long read = bytesRead(cluster) - before;

            assertEquals("savepoint " + id + " (memory)", status.restoredFrom());
            // Placed as before the restart (round-robin), 6 parts of 2 MiB would cross it: 12 MiB.
            assertTrue(read < stateBytes, "6 parts of 2 MiB restored; the members read " + read + " bytes");

            // A second failure in a row (no checkpoint since): the subtasks move on, round-robin,
            // off the members where they failed, and read their parts from where they are.
            before = bytesRead(cluster);
            BenchJob.FAIL_ONCE.add("big-state");
            awaitRunning(job, 2);
            read = bytesRead(cluster) - before;
            assertTrue(read > 2L * stateBytes, "the subtasks moved: the members read " + read + " bytes");
            job.cancel().get(60, TimeUnit.SECONDS);
        } finally {
            BenchJob.FAIL_ONCE.remove("big-state");
        }
    }

    /** What every member has read from its connections so far. */
    private static long bytesRead(InProcessCluster cluster) {
        return cluster.members().stream()
                .mapToLong(CairnMember::bytesReadFromMembers)
                .sum();
    }

    /** Takes a savepoint, as a user would: again while the pipeline is still starting. */
    private static long savepoint(JobHandle job) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                return job.savepoint(false).get(60, TimeUnit.SECONDS).ids().get("1");
            } catch (ExecutionException e) {
                if (System.currentTimeMillis() > deadline
                        || !e.getCause().getMessage().contains("try again")) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * A member that cannot put a task's chunks into the map (here the map refuses every chunk but a
     * part's first, through a Hazelcast interceptor) sends the state inline after all: checkpoints
     * complete, commit and are stored in format 1, every state inline. The chunk that did land is
     * deleted by its writer, not left in the map for as long as the job runs.
     */
    @Test
    void chunksTheMapRefuses_sendTheStateInline_andLeaveNoChunkBehind() throws Exception {
        PipelineKey pipeline = PipelineKey.of("big-state", "1");
        try (InProcessCluster cluster = cluster(1024)) {
            IMap<String, byte[]> snapshots =
                    cluster.members().get(0).hazelcast().getMap("cairn.snapshots");
            // On each member, where its partitions' puts run: the cluster's serialization filter
            // (rightly) refuses to ship a test's interceptor through IMap.addInterceptor.
            for (CairnMember member : cluster.members()) {
                MapService maps =
                        Accessors.getNodeEngineImpl(member.hazelcast()).getService(MapService.SERVICE_NAME);
                maps.getMapServiceContext()
                        .getMapContainer("cairn.snapshots")
                        .getInterceptorRegistry()
                        .register("refuse-later-chunks", new RefuseLaterChunks());
            }
            JobHandle job = cluster.members()
                    .get(0)
                    .engine()
                    .submit(new JobSpec(
                            JobId.of("big-state"),
                            BenchJob.TYPE,
                            Map.of(
                                    BenchJob.PARALLELISM,
                                    "2",
                                    BenchJob.STATE_BYTES,
                                    Integer.toString(StateParts.CHUNK_SIZE + 1000), // two chunks a part
                                    BenchJob.RATE,
                                    "600")));
            JobStatus status = awaitCommitted(job, 3);
            long committed = status.lastCommittedId();
            long deadline = System.currentTimeMillis() + 10_000;
            List<String> left = chunksUpTo(snapshots, committed);
            while (!left.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                left = chunksUpTo(snapshots, committed);
            }
            assertEquals(List.of(), left, "chunks of checkpoints up to " + committed + " left in the map");
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        try (CheckpointStorage storage = open()) {
            List<CheckpointId> stored = storage.list(pipeline);
            byte[] newest =
                    storage.load(pipeline, stored.get(stored.size() - 1)).orElseThrow();
            assertEquals(1, SnapshotCodec.readHeader(newest).version());
            assertTrue(SnapshotCodec.decode(newest).allInline());
            assertEquals(List.of(), storage.list(FileLayout.partsOf(pipeline)));
        }
    }

    /** Chunk keys ({@code job/pipeline/id/task/n@k}) of the job's checkpoints up to {@code id}. */
    private static List<String> chunksUpTo(IMap<String, byte[]> snapshots, long id) {
        return snapshots.keySet().stream()
                .filter(key -> key.startsWith("big-state/") && key.contains("@"))
                .filter(key -> FileLayout.parseFileName(key.split("/")[2])
                        .map(c -> c.value() <= id)
                        .orElse(false))
                .sorted()
                .toList();
    }

    /** Refuses every value but a checkpoint's and a part's first chunk (each starts with its magic). */
    static final class RefuseLaterChunks implements MapInterceptor {
        private static boolean startsWith(byte[] value, String magic) {
            byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
            return value.length >= m.length && Arrays.equals(value, 0, m.length, m, 0, m.length);
        }

        @Override
        public Object interceptPut(Object oldValue, Object newValue) {
            if (newValue instanceof byte[] value && !startsWith(value, "CAIRNCKP") && !startsWith(value, "CAIRNPRT")) {
                throw new IllegalStateException("the map refuses this chunk (injected)");
            }
            return null;
        }

        @Override
        public Object interceptGet(Object value) {
            return null;
        }

        @Override
        public void afterGet(Object value) {}

        @Override
        public void afterPut(Object value) {}

        @Override
        public Object interceptRemove(Object removedValue) {
            return null;
        }

        @Override
        public void afterRemove(Object value) {}
    }

    private static void dropChunks(InProcessCluster cluster) {
        IMap<String, byte[]> snapshots = cluster.members().get(0).hazelcast().getMap("cairn.snapshots");
        for (String key : snapshots.keySet()) {
            if (key.startsWith("big-state/") && key.contains("@")) {
                snapshots.delete(key);
            }
        }
    }

    /** Waits until the job runs after {@code restores} restores. */
    private static JobStatus awaitRunning(JobHandle job, int restores) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            JobStatus status = job.status().orElse(null);
            if (status != null && status.state() == JobState.RUNNING && status.restores() >= restores) {
                return status;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not running after " + restores + " restores: " + job.status());
    }

    private static JobStatus awaitCommitted(JobHandle job, int committed) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            JobStatus status = job.status().orElse(null);
            if (status != null && status.checkpointsCommitted() >= committed) {
                return status;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("fewer than " + committed + " checkpoints committed: " + job.status());
    }

    private CheckpointStorage open() throws Exception {
        return CheckpointStorageFactories.find("localfile", getClass().getClassLoader())
                .create(Map.of("namespace", dir.resolve("checkpoints").toString()));
    }

    /** A member's storage, noting which member stored parts and which stored manifests. */
    private final class Recording extends ForwardingCheckpointStorage {
        private final int instance = instances.incrementAndGet();

        Recording(CheckpointStorage delegate) {
            super(delegate);
        }

        @Override
        public Optional<byte[]> load(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
            if (FileLayout.holdsParts(pipeline)) {
                partsLoadedBy
                        .computeIfAbsent(instance, i -> new AtomicInteger())
                        .incrementAndGet();
            }
            return super.load(pipeline, id);
        }

        @Override
        public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
            super.store(pipeline, id, data);
            if (FileLayout.holdsParts(pipeline)) {
                storedBy.computeIfAbsent("parts", k -> ConcurrentHashMap.newKeySet())
                        .add(instance);
            } else if (!FileLayout.holdsIds(pipeline)) {
                storedBy.computeIfAbsent("manifests", k -> ConcurrentHashMap.newKeySet())
                        .add(instance);
            }
        }
    }
}
