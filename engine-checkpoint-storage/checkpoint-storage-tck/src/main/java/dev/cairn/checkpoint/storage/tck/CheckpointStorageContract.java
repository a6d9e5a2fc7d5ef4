package dev.cairn.checkpoint.storage.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of {@link CheckpointStorage}, as tests. A plugin proves it meets the contract by
 * extending this class once per backend it supports:
 *
 * <pre>{@code
 * class MyStorageContractTest extends CheckpointStorageContract {
 *     @TempDir static Path root;
 *
 *     protected CheckpointStorageFactory factory() { return new MyStorageFactory(); }
 *
 *     protected Map<String, String> pluginConfig(String namespace) {
 *         return Map.of("namespace", root.resolve(namespace).toString());
 *     }
 * }
 * }</pre>
 *
 * Start heavy backends once per test class (in a static {@code @BeforeAll}); each test gets a
 * namespace of its own through {@link #pluginConfig(String)}, so tests never see each other's
 * data.
 *
 * <p>Besides round trips, order, absence and failing sources, the suite checks what broken stores
 * get wrong under real faults: a reader that loads a checkpoint while another thread replaces it
 * sees the whole old or the whole new bytes; a writing process killed midway leaves the previous
 * checkpoint or none, never a part, in loads and listings ({@link #forkRecipe(Map)} says how a
 * process of its own opens the storage); and deleting a checkpoint or a job leaves every job,
 * pipeline and id whose name shares a prefix with it alone. The rules of the name types themselves
 * ({@link JobId}, {@link PipelineKey}, {@link CheckpointId}) are tested once, in the API's tests:
 * no plugin can pass or fail them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class CheckpointStorageContract {
    private static final int MIB = 1024 * 1024;
    /** How long the concurrent-replace case replaces, at least. */
    private static final long REPLACE_RACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The storage under test, opened before each test over a fresh namespace and closed after. */
    protected CheckpointStorage storage;

    private Map<String, String> config;

    /** The factory of the plugin under test. */
    protected abstract CheckpointStorageFactory factory();

    /**
     * A {@code plugin-config} for the backend under test whose namespace is {@code namespace}
     * (a single path segment, unique to the test, to be placed under the backend's test root).
     * Called once per test; the suite opens several storages from the same returned map to check
     * that they share data.
     */
    protected abstract Map<String, String> pluginConfig(String namespace);

    /**
     * How a JVM of its own opens a storage configured as {@code pluginConfig}: the suite kills such
     * a JVM in the middle of a store. By default the child creates this test's {@link #factory()}
     * class by its public no-argument constructor, with {@code pluginConfig} as it is; a backend
     * that runs inside the test JVM is reached over loopback like any other. Override to add JVM
     * options (a Kerberos configuration file, say), or return {@link ForkRecipe#unsupported} with
     * the reason, which the report then shows as a skipped case.
     */
    protected ForkRecipe forkRecipe(Map<String, String> pluginConfig) {
        return ForkRecipe.of(factory().getClass(), pluginConfig);
    }

    @BeforeEach
    final void openStorage() throws Exception {
        config = Map.copyOf(pluginConfig("tck-" + UUID.randomUUID()));
        assertEquals(List.of(), factory().validate(config), "the test's own plugin-config must be valid");
        storage = factory().create(config);
    }

    @AfterEach
    final void closeStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    /** Opens another storage over the same backend and namespace as {@link #storage}. */
    protected final CheckpointStorage openAnother() throws CheckpointStorageException {
        return factory().create(config);
    }

    // ---------------------------------------------------------------- round trips

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 4096, 64 * MIB})
    void storedBytes_loadBackIdentical(int size) throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        byte[] data = randomBytes(size, size);

        storage.store(pipeline, CheckpointId.of(1), new ByteArrayInputStream(data));

        Optional<byte[]> loaded = storage.load(pipeline, CheckpointId.of(1));
        assertTrue(loaded.isPresent(), "stored checkpoint must load");
        assertEquals(size, loaded.get().length, "length");
        assertArrayEquals(data, loaded.get());
        assertEquals(List.of(CheckpointId.of(1)), storage.list(pipeline));
    }

    @Test
    void storeOfExistingId_replacesIt() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        storage.store(pipeline, CheckpointId.of(5), bytes(randomBytes(7, 1000)));
        byte[] second = randomBytes(8, 500);

        storage.store(pipeline, CheckpointId.of(5), bytes(second));

        assertArrayEquals(second, storage.load(pipeline, CheckpointId.of(5)).orElseThrow());
        assertEquals(List.of(CheckpointId.of(5)), storage.list(pipeline));
    }

    @Test
    void store_leavesTheCallersStreamOpen() throws Exception {
        Streams.CloseTrackingStream data = new Streams.CloseTrackingStream(new byte[100]);

        storage.store(PipelineKey.of("job-1", "1"), CheckpointId.of(1), data);

        assertFalse(data.closed, "store must not close the caller's stream");
    }

    // ---------------------------------------------------------------- ordering

    @Test
    void ids_listInNumericOrder_whateverTheStoreOrder() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        for (long id : new long[] {2, 10, 9}) {
            storage.store(pipeline, CheckpointId.of(id), bytes(new byte[] {(byte) id}));
        }

        List<CheckpointId> ids = storage.list(pipeline);

        assertEquals(ids(2, 9, 10), ids);
        assertEquals(CheckpointId.of(10), ids.get(ids.size() - 1), "latest is the highest id, not the newest file");
    }

    @Test
    void ids_orderNumerically_acrossDigitCountsAndExtremes() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        long[] stored = {100, Long.MAX_VALUE, 0, 99, 1_000_000_000_000L, 11};
        for (long id : stored) {
            storage.store(pipeline, CheckpointId.of(id), bytes(new byte[] {1}));
        }

        assertEquals(ids(0, 11, 99, 100, 1_000_000_000_000L, Long.MAX_VALUE), storage.list(pipeline));
    }

    // ---------------------------------------------------------------- isolation and absence

    @Test
    void jobsAndPipelines_areIsolated() throws Exception {
        PipelineKey j1p1 = PipelineKey.of("job-1", "1");
        PipelineKey j1p2 = PipelineKey.of("job-1", "2");
        PipelineKey j2p1 = PipelineKey.of("job-2", "1");
        storage.store(j1p1, CheckpointId.of(1), bytes(new byte[] {11}));
        storage.store(j1p2, CheckpointId.of(2), bytes(new byte[] {12}));
        storage.store(j2p1, CheckpointId.of(3), bytes(new byte[] {21}));

        assertArrayEquals(
                new byte[] {11}, storage.load(j1p1, CheckpointId.of(1)).orElseThrow());
        assertEquals(Optional.empty(), storage.load(j1p2, CheckpointId.of(1)).map(Arrays::toString));
        assertEquals(Optional.empty(), storage.load(j2p1, CheckpointId.of(1)).map(Arrays::toString));
        assertEquals(ids(1), storage.list(j1p1));
        assertEquals(ids(2), storage.list(j1p2));
        assertEquals(ids(3), storage.list(j2p1));
        assertEquals(List.of(j1p1, j1p2), storage.pipelines(JobId.of("job-1")));
        assertEquals(List.of(j2p1), storage.pipelines(JobId.of("job-2")));
        assertEquals(List.of(JobId.of("job-1"), JobId.of("job-2")), storage.jobs());
    }

    @Test
    void absentThings_areEmpty_notErrors() throws Exception {
        PipelineKey absent = PipelineKey.of("no-such-job", "1");

        assertEquals(Optional.empty(), storage.load(absent, CheckpointId.of(1)).map(Arrays::toString));
        assertEquals(List.of(), storage.list(absent));
        assertEquals(List.of(), storage.pipelines(JobId.of("no-such-job")));
        assertEquals(List.of(), storage.jobs());

        storage.store(PipelineKey.of("job-1", "1"), CheckpointId.of(1), bytes(new byte[] {1}));
        assertEquals(
                Optional.empty(),
                storage.load(PipelineKey.of("job-1", "1"), CheckpointId.of(2)).map(Arrays::toString));
        assertEquals(List.of(), storage.list(PipelineKey.of("job-1", "2")));
    }

    // ---------------------------------------------------------------- names that share a prefix

    /**
     * Jobs whose names share a prefix or a suffix with {@code a} or {@code ab} hold the same
     * pipeline and id. Deleting {@code a}'s checkpoint, then the jobs {@code a} and {@code ab},
     * leaves every other job as it was. (A store that lists or deletes the key prefix {@code a}
     * without its separator takes {@code ab}, {@code a-1} and {@code a.b} along.)
     */
    @Test
    void deletes_leaveJobsWhoseNamesShareAPrefix() throws Exception {
        List<String> jobs = new ArrayList<>(List.of("a", "a-1", "a.b", "a_1", "aa", "ab", "b", "ba"));
        for (String job : jobs) {
            storage.store(PipelineKey.of(job, "p"), CheckpointId.of(1), bytes(contentOf(job, "p", 1)));
        }

        storage.delete(PipelineKey.of("a", "p"), CheckpointId.of(1));
        assertEquals(ids(), storage.list(PipelineKey.of("a", "p")));
        assertJobsStillHold(jobs.subList(1, jobs.size()), "after delete(a/p, 1)");
        for (String deleted : List.of("a", "ab")) {
            storage.deleteJob(JobId.of(deleted));
            jobs.remove(deleted);
            assertEquals(
                    jobs.stream().map(JobId::of).sorted().toList(),
                    storage.jobs(),
                    "jobs() after deleteJob(" + deleted + ")");
            assertJobsStillHold(jobs, "after deleteJob(" + deleted + ")");
        }

        for (String job : jobs) {
            PipelineKey pipeline = PipelineKey.of(job, "p");
            assertEquals(List.of(pipeline), storage.pipelines(JobId.of(job)), "pipelines of job " + job);
            assertArrayEquals(
                    contentOf(job, "p", 1),
                    storage.load(pipeline, CheckpointId.of(1)).orElseThrow(),
                    "job " + job);
        }
    }

    private void assertJobsStillHold(List<String> jobs, String when) throws Exception {
        for (String job : jobs) {
            assertEquals(ids(1), storage.list(PipelineKey.of(job, "p")), "checkpoints of job " + job + " " + when);
        }
    }

    /**
     * Pipelines of one job whose names share a prefix with {@code p} hold the same id, among them
     * the engine's own companions of {@code p}: its savepoints ({@code p.savepoints}) and its id
     * lease ({@code p.ids}). Deleting the id from one pipeline leaves it in every other.
     */
    @Test
    void delete_leavesPipelinesWhoseNamesShareAPrefix() throws Exception {
        JobId job = JobId.of("job-1");
        List<String> names = List.of("p", "p-1", "p.ids", "p.savepoints", "p.x", "p1", "pp", "xp");
        Map<String, List<CheckpointId>> expected = new TreeMap<>();
        for (String name : names) {
            storage.store(new PipelineKey(job, name), CheckpointId.of(1), bytes(contentOf("job-1", name, 1)));
            expected.put(name, new ArrayList<>(ids(1)));
        }
        storage.store(new PipelineKey(job, "p"), CheckpointId.of(2), bytes(contentOf("job-1", "p", 2)));
        expected.get("p").add(CheckpointId.of(2));

        for (String deleted : List.of("p", "p.savepoints", "p1")) {
            storage.delete(new PipelineKey(job, deleted), CheckpointId.of(1));
            expected.get(deleted).remove(CheckpointId.of(1));
            for (String name : names) {
                assertEquals(
                        expected.get(name),
                        storage.list(new PipelineKey(job, name)),
                        "checkpoints of pipeline " + name + " after delete(" + deleted + ", 1)");
            }
        }

        // Pipelines left empty may or may not still be listed ("have or had" checkpoints).
        List<PipelineKey> listed = storage.pipelines(job);
        for (String name : names) {
            PipelineKey pipeline = new PipelineKey(job, name);
            if (!expected.get(name).isEmpty()) {
                assertTrue(listed.contains(pipeline), "pipelines() lists " + name + ": " + listed);
            }
            for (CheckpointId id : expected.get(name)) {
                assertArrayEquals(
                        contentOf("job-1", name, id.value()),
                        storage.load(pipeline, id).orElseThrow(),
                        "pipeline " + name + " checkpoint " + id);
            }
        }
        assertTrue(names.stream().map(n -> new PipelineKey(job, n)).toList().containsAll(listed), listed.toString());
    }

    /** Ids whose digits begin or end like another's: deleting one leaves the others. */
    @Test
    void delete_leavesIdsWhoseDigitsShareAPrefix() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        List<CheckpointId> stored = new ArrayList<>(ids(1, 2, 10, 11, 21, 100, 101, 1000));
        for (CheckpointId id : stored) {
            storage.store(pipeline, id, bytes(contentOf("job-1", "1", id.value())));
        }

        for (long deleted : new long[] {1, 10, 100}) {
            storage.delete(pipeline, CheckpointId.of(deleted));
            stored.remove(CheckpointId.of(deleted));
            assertEquals(stored, storage.list(pipeline), "after delete(" + deleted + ")");
        }
        for (CheckpointId id : stored) {
            assertArrayEquals(
                    contentOf("job-1", "1", id.value()),
                    storage.load(pipeline, id).orElseThrow(),
                    "checkpoint " + id);
        }
    }

    // ---------------------------------------------------------------- deletion

    @Test
    void delete_removesExactlyThatCheckpoint() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        for (long id = 1; id <= 3; id++) {
            storage.store(pipeline, CheckpointId.of(id), bytes(new byte[] {(byte) id}));
        }

        storage.delete(pipeline, CheckpointId.of(2));

        assertEquals(ids(1, 3), storage.list(pipeline));
        assertTrue(storage.load(pipeline, CheckpointId.of(2)).isEmpty());
        assertArrayEquals(
                new byte[] {3}, storage.load(pipeline, CheckpointId.of(3)).orElseThrow());
    }

    @Test
    void deleteOfAbsentThings_isNotAnError() throws Exception {
        storage.store(PipelineKey.of("job-1", "1"), CheckpointId.of(1), bytes(new byte[] {1}));

        assertDoesNotThrow(() -> storage.delete(PipelineKey.of("job-1", "1"), CheckpointId.of(42)));
        assertDoesNotThrow(() -> storage.delete(PipelineKey.of("job-1", "9"), CheckpointId.of(1)));
        assertDoesNotThrow(() -> storage.delete(PipelineKey.of("no-such-job", "1"), CheckpointId.of(1)));
        assertDoesNotThrow(() -> storage.deleteJob(JobId.of("no-such-job")));

        assertEquals(ids(1), storage.list(PipelineKey.of("job-1", "1")));
    }

    @Test
    void deleteJob_removesAllItsPipelines_andNothingElse() throws Exception {
        storage.store(PipelineKey.of("job-1", "1"), CheckpointId.of(1), bytes(new byte[] {1}));
        storage.store(PipelineKey.of("job-1", "2"), CheckpointId.of(1), bytes(new byte[] {2}));
        storage.store(PipelineKey.of("job-2", "1"), CheckpointId.of(1), bytes(new byte[] {3}));

        storage.deleteJob(JobId.of("job-1"));

        assertEquals(List.of(JobId.of("job-2")), storage.jobs());
        assertEquals(List.of(), storage.pipelines(JobId.of("job-1")));
        assertEquals(List.of(), storage.list(PipelineKey.of("job-1", "1")));
        assertArrayEquals(
                new byte[] {3},
                storage.load(PipelineKey.of("job-2", "1"), CheckpointId.of(1)).orElseThrow());
    }

    @Test
    void jobDeleted_thenStoredAgain_works() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        storage.store(pipeline, CheckpointId.of(1), bytes(new byte[] {1}));
        storage.deleteJob(pipeline.jobId());

        storage.store(pipeline, CheckpointId.of(2), bytes(new byte[] {2}));

        assertEquals(ids(2), storage.list(pipeline));
    }

    // ---------------------------------------------------------------- durability and sharing

    @Test
    void secondInstance_seesEverything_afterTheFirstIsClosed() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        byte[] data = randomBytes(3, 100_000);
        storage.store(pipeline, CheckpointId.of(7), bytes(data));
        storage.store(PipelineKey.of("job-2", "a"), CheckpointId.of(1), bytes(new byte[] {1}));
        storage.close();

        try (CheckpointStorage second = openAnother()) {
            assertEquals(List.of(JobId.of("job-1"), JobId.of("job-2")), second.jobs());
            assertEquals(ids(7), second.list(pipeline));
            assertArrayEquals(data, second.load(pipeline, CheckpointId.of(7)).orElseThrow());
            second.delete(pipeline, CheckpointId.of(7));
        }
        storage = openAnother();
        assertEquals(List.of(), storage.list(pipeline), "a delete through one instance is seen by the next");
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void eightThreads_storingToDifferentPipelines_atOnce() throws Exception {
        int threads = 8;
        int perThread = 6;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                PipelineKey pipeline = PipelineKey.of("job-1", "p" + t);
                int seed = t;
                futures.add(pool.submit((Callable<Void>) () -> {
                    start.await();
                    for (int i = 1; i <= perThread; i++) {
                        storage.store(pipeline, CheckpointId.of(i), bytes(randomBytes(seed * 100 + i, 64 * 1024)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(threads, storage.pipelines(JobId.of("job-1")).size());
        for (int t = 0; t < threads; t++) {
            PipelineKey pipeline = PipelineKey.of("job-1", "p" + t);
            assertEquals(ids(1, 2, 3, 4, 5, 6), storage.list(pipeline), pipeline.toString());
            for (int i = 1; i <= perThread; i++) {
                assertArrayEquals(
                        randomBytes(t * 100 + i, 64 * 1024),
                        storage.load(pipeline, CheckpointId.of(i)).orElseThrow(),
                        pipeline + " checkpoint " + i);
            }
        }
    }

    /**
     * Several members store one job's checkpoints at once: each stores the parts of the task states
     * it holds ({@code FileLayout.partsOf}). Two instances over the same namespace, four threads
     * each, store different ids of one pipeline, and of a second one; both instances then list every
     * id and load every byte. (A store that keeps a per-instance index of what it wrote, or
     * rewrites a per-job object under a per-instance lock, loses the other instance's ids here.)
     */
    @Test
    void twoInstances_storingDifferentIdsOfOnePipeline_atOnce_loseNothing() throws Exception {
        PipelineKey shared = PipelineKey.of("job-1", "1");
        PipelineKey other = PipelineKey.of("job-1", "2");
        int threadsEach = 4;
        int perThread = 10;
        try (CheckpointStorage another = openAnother()) {
            List<CheckpointStorage> instances = List.of(storage, another);
            CyclicBarrier start = new CyclicBarrier(instances.size() * threadsEach);
            ExecutorService pool = Executors.newFixedThreadPool(instances.size() * threadsEach);
            List<Long> expected = new ArrayList<>();
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < instances.size(); i++) {
                    for (int t = 0; t < threadsEach; t++) {
                        CheckpointStorage writer = instances.get(i);
                        long base = (i * threadsEach + t) * 1000L;
                        for (int k = 1; k <= perThread; k++) {
                            expected.add(base + k);
                        }
                        futures.add(pool.submit((Callable<Void>) () -> {
                            start.await();
                            for (int k = 1; k <= perThread; k++) {
                                long id = base + k;
                                writer.store(shared, CheckpointId.of(id), bytes(randomBytes(id, 16 * 1024)));
                                if (k % 5 == 0) {
                                    writer.store(other, CheckpointId.of(id), bytes(randomBytes(-id, 100)));
                                }
                            }
                            return null;
                        }));
                    }
                }
                for (Future<?> f : futures) {
                    f.get(100, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            expected.sort(null);
            List<CheckpointId> all = expected.stream().map(CheckpointId::of).toList();
            List<CheckpointId> fifths = expected.stream()
                    .filter(id -> id % 5 == 0)
                    .map(CheckpointId::of)
                    .toList();
            for (CheckpointStorage s : instances) {
                String who = s == storage ? " (first instance)" : " (second instance)";
                assertEquals(all, s.list(shared), "every id either instance stored" + who);
                assertEquals(fifths, s.list(other), who);
                assertEquals(List.of(other, shared).stream().sorted().toList(), s.pipelines(JobId.of("job-1")), who);
            }
            for (long id : expected) {
                assertArrayEquals(
                        randomBytes(id, 16 * 1024),
                        another.load(shared, CheckpointId.of(id)).orElseThrow(),
                        "checkpoint " + id);
            }
        }
    }

    /**
     * A pipeline keeps more checkpoints than one object-store listing page holds (S3 and OSS return
     * at most 1,000 keys a page): the parts of a manifest with many tasks are that many. Every id is
     * listed, in order.
     */
    @Test
    void list_returnsEveryId_pastOneObjectStorePage() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        int count = 1_001;
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                futures.add(pool.submit((Callable<Void>) () -> {
                    for (int id = 1 + first; id <= count; id += threads) {
                        storage.store(pipeline, CheckpointId.of(id), bytes(new byte[] {(byte) id}));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(200, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<CheckpointId> listed = storage.list(pipeline);
        assertEquals(count, listed.size(), "ids listed");
        for (int id = 1; id <= count; id++) {
            assertEquals(CheckpointId.of(id), listed.get(id - 1));
        }
    }

    /**
     * Two readers, one through this instance and one through another, load and list a checkpoint
     * in a loop while this instance replaces it, over and over, with versions of different sizes
     * that span several buffers. Every load is one whole version; the checkpoint is never missing
     * from a load or a listing; nothing throws. (A store that deletes before it writes or renames,
     * or a load that reads a replaced file in pieces, fails here.) Between two replaces every reader
     * finishes a load: a load may retry a read that a replace cut short, but must not give up.
     * Bounded: about a second of replacing, at least four replaces, then stop.
     */
    @Test
    void replace_isSeenWholeOldOrWholeNew_byConcurrentReaders() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        CheckpointId id = CheckpointId.of(3);
        byte[][] versions = {randomBytes(31, 3 * MIB / 2 + 17), randomBytes(32, 5 * MIB / 2 + 5)};
        storage.store(pipeline, id, bytes(versions[0]));
        int replaces = 0;
        try (CheckpointStorage other = openAnother();
                ConcurrentReaders readers = ConcurrentReaders.start(
                        pipeline,
                        id,
                        versions,
                        List.of("this instance", "another instance"),
                        List.of(storage, other))) {
            long start = System.nanoTime();
            while (readers.violation().isEmpty()) {
                long elapsed = System.nanoTime() - start;
                boolean enough = replaces >= 4 && readers.fewestLoads() >= 4 && elapsed > REPLACE_RACE_NANOS;
                if (enough || elapsed > 10 * REPLACE_RACE_NANOS) {
                    break;
                }
                readers.replacing(++replaces);
                storage.store(pipeline, id, bytes(versions[replaces % 2]));
                readers.awaitALoadByEveryReader(TimeUnit.SECONDS.toNanos(60));
            }
            readers.stop();
            assertEquals(Optional.empty(), readers.violation(), "after " + replaces + " replaces");
            assertTrue(
                    readers.fewestLoads() >= 2,
                    "each reader loaded during the replaces: the slower one loaded " + readers.fewestLoads()
                            + " times");
        }
        assertArrayEquals(versions[replaces % 2], storage.load(pipeline, id).orElseThrow(), "the last version stays");
    }

    // ---------------------------------------------------------------- failure midway

    @Test
    void writeThatFailsMidway_leavesNoVisibleCheckpoint() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        storage.store(pipeline, CheckpointId.of(1), bytes(new byte[] {1}));

        CheckpointStorageException e = assertThrows(
                CheckpointStorageException.class,
                () -> storage.store(pipeline, CheckpointId.of(2), new Streams.FailingStream(randomBytes(9, 3 * MIB))));

        assertTrue(e.getMessage().contains("job-1"), "message names the job: " + e.getMessage());
        assertTrue(e.getMessage().contains("checkpoint 2"), "message names the checkpoint: " + e.getMessage());
        assertEquals(ids(1), storage.list(pipeline));
        assertTrue(storage.load(pipeline, CheckpointId.of(2)).isEmpty());
        try (CheckpointStorage another = openAnother()) {
            assertEquals(ids(1), another.list(pipeline), "nothing half-written is visible to another instance");
        }
    }

    @Test
    void writeThatFailsMidway_overAnExistingId_keepsThePreviousBytes() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        byte[] previous = randomBytes(4, 2 * MIB);
        storage.store(pipeline, CheckpointId.of(3), bytes(previous));

        assertThrows(
                CheckpointStorageException.class,
                () -> storage.store(pipeline, CheckpointId.of(3), new Streams.FailingStream(randomBytes(5, 3 * MIB))));

        assertArrayEquals(previous, storage.load(pipeline, CheckpointId.of(3)).orElseThrow());
        assertEquals(ids(3), storage.list(pipeline));
    }

    @Test
    void afterAFailedWrite_theStorageStillWorks() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        assertThrows(
                CheckpointStorageException.class,
                () -> storage.store(pipeline, CheckpointId.of(1), new Streams.FailingStream(new byte[64 * 1024])));

        storage.store(pipeline, CheckpointId.of(1), bytes(new byte[] {42}));

        assertArrayEquals(
                new byte[] {42}, storage.load(pipeline, CheckpointId.of(1)).orElseThrow());
    }

    /**
     * A process of its own ({@link #forkRecipe}) starts two stores through the plugin, a new id and
     * a replace of an existing one, each from a source that yields 4 MiB of 8 and then hangs. The
     * process is killed (as {@code kill -9} would) while both are under way. Afterwards, through
     * this instance and a new one, the new id is absent, the replaced id holds its previous bytes,
     * listings show nothing torn, and the same ids can be stored again.
     */
    @Test
    void writerKilledMidStore_leavesThePreviousCheckpointOrNone(@TempDir Path workDir) throws Exception {
        ForkRecipe recipe = forkRecipe(config);
        assumeTrue(
                recipe.unsupportedReason().isEmpty(),
                () -> "no child JVM can open this backend: "
                        + recipe.unsupportedReason().orElse(""));
        PipelineKey fresh = PipelineKey.of("job-torn-new", "1");
        PipelineKey replaced = PipelineKey.of("job-torn-replace", "1");
        byte[] first = randomBytes(41, 1000);
        byte[] previous = randomBytes(42, 2 * MIB);
        storage.store(fresh, CheckpointId.of(1), bytes(first));
        storage.store(replaced, CheckpointId.of(7), bytes(previous));

        try (ForkedWriter child = ForkedWriter.start(
                recipe,
                List.of(
                        new ForkedWriter.Order(fresh, CheckpointId.of(2), 8 * MIB, 43, 4 * MIB),
                        new ForkedWriter.Order(replaced, CheckpointId.of(7), 8 * MIB, 44, 4 * MIB)),
                workDir)) {
            child.awaitAllStalled(Duration.ofSeconds(90));
            child.kill();
        }

        try (CheckpointStorage another = openAnother()) {
            for (CheckpointStorage s : List.of(storage, another)) {
                String seen =
                        s == storage ? " (seen by the instance opened before the kill)" : " (seen by a new instance)";
                assertEquals(ids(1), s.list(fresh), "a store killed midway lists no checkpoint" + seen);
                assertEquals(
                        Optional.empty(),
                        s.load(fresh, CheckpointId.of(2)).map(b -> b.length + " bytes"),
                        "a store killed midway leaves nothing to load" + seen);
                assertArrayEquals(first, s.load(fresh, CheckpointId.of(1)).orElseThrow(), "the untouched id" + seen);
                assertEquals(ids(7), s.list(replaced), seen);
                byte[] loaded = s.load(replaced, CheckpointId.of(7))
                        .orElseThrow(() ->
                                new AssertionError("a replace killed midway lost the previous checkpoint" + seen));
                assertEquals(previous.length, loaded.length, "a replace killed midway: length" + seen);
                assertArrayEquals(previous, loaded, "a replace killed midway keeps the previous bytes" + seen);
                assertEquals(List.of(fresh.jobId(), replaced.jobId()), s.jobs(), seen);
            }
        }

        byte[] again = randomBytes(45, 300_000);
        storage.store(fresh, CheckpointId.of(2), bytes(again));
        storage.store(replaced, CheckpointId.of(7), bytes(again));
        assertEquals(ids(1, 2), storage.list(fresh));
        assertArrayEquals(again, storage.load(fresh, CheckpointId.of(2)).orElseThrow());
        assertArrayEquals(again, storage.load(replaced, CheckpointId.of(7)).orElseThrow());
    }

    // ---------------------------------------------------------------- close

    @Test
    void close_isIdempotent_andUseAfterCloseFailsClearly() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        storage.store(pipeline, CheckpointId.of(1), bytes(new byte[] {1}));

        storage.close();
        assertDoesNotThrow(storage::close);

        List<Executable> calls = List.of(
                () -> storage.store(pipeline, CheckpointId.of(2), bytes(new byte[] {2})),
                () -> storage.load(pipeline, CheckpointId.of(1)),
                () -> storage.list(pipeline),
                () -> storage.pipelines(pipeline.jobId()),
                storage::jobs,
                () -> storage.delete(pipeline, CheckpointId.of(1)),
                () -> storage.deleteJob(pipeline.jobId()));
        for (Executable call : calls) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call);
            assertTrue(e.getMessage().contains("closed"), "says it is closed: " + e.getMessage());
        }
    }

    @Test
    void toString_describesTheStore() {
        String description = storage.toString();
        assertFalse(description.isBlank());
        String identity = storage.getClass().getName() + "@" + Integer.toHexString(storage.hashCode());
        assertFalse(description.equals(identity), "a description, not an object identity: " + description);
    }

    // ---------------------------------------------------------------- helpers

    /** Deterministic pseudo-random bytes: the same seed and size give the same bytes. */
    protected static byte[] randomBytes(long seed, int size) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** Small bytes that say where they belong, so that a checkpoint in the wrong place shows. */
    private static byte[] contentOf(String job, String pipeline, long id) {
        return (job + "/" + pipeline + "/" + id).getBytes(StandardCharsets.UTF_8);
    }

    protected static InputStream bytes(byte[] data) {
        return new ByteArrayInputStream(data);
    }

    protected static List<CheckpointId> ids(long... ids) {
        return Arrays.stream(ids).mapToObj(CheckpointId::of).toList();
    }
}
