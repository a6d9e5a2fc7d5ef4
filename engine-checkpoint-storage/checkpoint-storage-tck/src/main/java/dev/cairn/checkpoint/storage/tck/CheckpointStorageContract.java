package dev.cairn.checkpoint.storage.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
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
 * data. The rules of the name types themselves ({@link JobId}, {@link PipelineKey}, {@link
 * CheckpointId}) are tested once, in the API's tests: no plugin can pass or fail them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class CheckpointStorageContract {
    private static final int MIB = 1024 * 1024;

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
        CloseTrackingStream data = new CloseTrackingStream(new byte[100]);

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
    void namesThatDifferOnlyByPrefix_doNotMix() throws Exception {
        storage.store(PipelineKey.of("job", "1"), CheckpointId.of(1), bytes(new byte[] {1}));
        storage.store(PipelineKey.of("job-1", "10"), CheckpointId.of(1), bytes(new byte[] {2}));

        assertEquals(List.of(PipelineKey.of("job", "1")), storage.pipelines(JobId.of("job")));
        assertEquals(ids(), storage.list(PipelineKey.of("job-1", "1")));
        storage.deleteJob(JobId.of("job"));
        assertEquals(List.of(JobId.of("job-1")), storage.jobs());
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

    // ---------------------------------------------------------------- failure midway

    @Test
    void writeThatFailsMidway_leavesNoVisibleCheckpoint() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        storage.store(pipeline, CheckpointId.of(1), bytes(new byte[] {1}));

        CheckpointStorageException e = assertThrows(
                CheckpointStorageException.class,
                () -> storage.store(pipeline, CheckpointId.of(2), new FailingStream(randomBytes(9, 3 * MIB))));

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
                () -> storage.store(pipeline, CheckpointId.of(3), new FailingStream(randomBytes(5, 3 * MIB))));

        assertArrayEquals(previous, storage.load(pipeline, CheckpointId.of(3)).orElseThrow());
        assertEquals(ids(3), storage.list(pipeline));
    }

    @Test
    void afterAFailedWrite_theStorageStillWorks() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-1", "1");
        assertThrows(
                CheckpointStorageException.class,
                () -> storage.store(pipeline, CheckpointId.of(1), new FailingStream(new byte[64 * 1024])));

        storage.store(pipeline, CheckpointId.of(1), bytes(new byte[] {42}));

        assertArrayEquals(
                new byte[] {42}, storage.load(pipeline, CheckpointId.of(1)).orElseThrow());
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

    protected static InputStream bytes(byte[] data) {
        return new ByteArrayInputStream(data);
    }

    protected static List<CheckpointId> ids(long... ids) {
        return Arrays.stream(ids).mapToObj(CheckpointId::of).toList();
    }

    /** Yields half of its bytes, then fails as a broken source or a lost connection would. */
    private static final class FailingStream extends InputStream {
        private final ByteArrayInputStream delegate;
        private final int failAfter;
        private int read;

        FailingStream(byte[] data) {
            this.delegate = new ByteArrayInputStream(data);
            this.failAfter = data.length / 2;
        }

        @Override
        public int read() throws IOException {
            check(1);
            read++;
            return delegate.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            check(len);
            int n = delegate.read(b, off, Math.min(len, Math.max(1, failAfter - read)));
            read += Math.max(n, 0);
            return n;
        }

        private void check(int len) throws IOException {
            if (read >= failAfter && len > 0) {
                throw new IOException("source failed after " + read + " bytes (injected by the contract suite)");
            }
        }
    }

    private static final class CloseTrackingStream extends ByteArrayInputStream {
        boolean closed;

        CloseTrackingStream(byte[] data) {
            super(data);
        }

        @Override
        public void close() throws IOException {
            closed = true;
            super.close();
        }
    }
}
