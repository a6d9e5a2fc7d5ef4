package dev.cairn.checkpoint.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Output;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException.Reason;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.opentest4j.AssertionFailedError;

/**
 * Hostile bytes for {@link SnapshotCodec#decode}: random blobs, truncated and bit-flipped valid
 * blobs, and — to reach the Kryo decoding behind the checksum — valid headers around mutated,
 * random and crafted payloads. Whatever the bytes, decode returns a checkpoint or throws {@link
 * SnapshotFormatException}: never another exception or an Error, never a hang, never an allocation
 * out of proportion to the blob, never a class outside Kryo's registry.
 */
class SnapshotFuzzTest {
    /** Per decode: generous for a loaded CI machine, where a decode takes microseconds. */
    static final Duration TIME_BOUND = Duration.ofSeconds(5);
    /**
     * Per refusal of a hostile length: no reading, no allocating. Counted in the decoding thread's
     * CPU time, which a loaded machine, a GC pause or a descheduled thread do not inflate.
     */
    static final Duration QUICKLY = Duration.ofSeconds(1);
    /**
     * Per decode: exceptions and bookkeeping (about 130 KiB at most, measured), plus what a real
     * checkpoint of the blob's size takes. A buffer sized from a hostile length is far beyond.
     */
    static final long ALLOCATION_BASE = 1L << 20;

    static final long ALLOCATION_PER_BLOB_BYTE = 64;

    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "snapshot-fuzz");
        t.setDaemon(true);
        return t;
    });

    /** Set by {@link Canary}'s static initializer: it runs if the class is ever initialized. */
    static final AtomicBoolean CANARY_INITIALIZED = new AtomicBoolean();

    /** A class of our own outside Kryo's registry, named by crafted payloads. */
    static final class Canary {
        static {
            CANARY_INITIALIZED.set(true);
        }

        Canary() {}
    }

    private static final String CANARY = Canary.class.getName();

    /** Classes that would do harm if a decoder instantiated them. */
    private static final List<String> FOREIGN_CLASSES = List.of(
            CANARY,
            "java.net.URL",
            "java.lang.ProcessBuilder",
            "javax.script.ScriptEngineManager",
            "java.lang.Runtime",
            "java.util.HashMap",
            "java.util.ArrayList",
            "java.lang.String",
            "dev.cairn.checkpoint.snapshot.CompletedCheckpoint",
            "com.sun.rowset.JdbcRowSetImpl",
            "org.apache.commons.collections.functors.InvokerTransformer",
            "[B",
            "");

    @BeforeContainer
    static void warmUp() throws Exception {
        // The Kryo pool creates its instances lazily; create one before allocations are measured.
        SnapshotCodec.decode(SnapshotCodec.encode(SnapshotCodecTest.golden()));
    }

    // ------------------------------------------------------------------------------------------
    // Properties

    @Property(tries = 5000)
    void randomBlobs_failCleanly(@ForAll("randomBlobs") byte[] blob) {
        CompletedCheckpoint decoded = assertDecodesOrFailsCleanly(blob);
        assertEquals(null, decoded, "random bytes decoded to a checkpoint");
    }

    @Property(tries = 1000)
    void validCheckpoints_roundTrip(@ForAll("checkpoints") CompletedCheckpoint checkpoint) throws Exception {
        assertEquals(checkpoint, SnapshotCodec.decode(SnapshotCodec.encode(checkpoint)));
    }

    @Property(tries = 3000)
    void truncatedValidBlobs_areRefused(
            @ForAll("checkpoints") CompletedCheckpoint checkpoint, @ForAll("anywhere") int cut) {
        byte[] blob = SnapshotCodec.encode(checkpoint);
        byte[] truncated = Arrays.copyOf(blob, cut % blob.length);
        SnapshotFormatException e = assertRefused(truncated);
        assertTrue(e.reason() == Reason.TOO_SHORT || e.reason() == Reason.LENGTH_MISMATCH, e.getMessage());
    }

    /** Up to three flipped bits anywhere: the header checks or CRC32C catch every one. */
    @Property(tries = 5000)
    void bitFlippedValidBlobs_areRefused(
            @ForAll("checkpoints") CompletedCheckpoint checkpoint,
            @ForAll @Size(min = 1, max = 3) List<@From("anywhere") Integer> bits) {
        byte[] blob = SnapshotCodec.encode(checkpoint);
        byte[] flipped = blob.clone();
        bits.stream()
                .mapToInt(b -> b % (blob.length * 8))
                .distinct()
                .forEach(bit -> flipped[bit / 8] ^= (byte) (1 << (bit % 8)));
        assertRefused(flipped);
    }

    /** Valid header and CRC around a mutated valid payload: the fuzzing reaches the Kryo decoding. */
    @Property(tries = 10000)
    void validHeaderAroundMutatedPayloads_decodesOrFailsCleanly(
            @ForAll("checkpoints") CompletedCheckpoint checkpoint,
            @ForAll @Size(min = 1, max = 4) List<@From("mutations") Mutation> mutations) {
        byte[] payload = payload(SnapshotCodec.encode(checkpoint));
        for (Mutation m : mutations) {
            payload = m.apply(payload);
        }
        assertDecodesOrFailsInThePayload(SnapshotCodecTest.blob(payload));

        // The mutations reach the serializer: some decode, most are refused deep in the payload.
        Statistics.label("outcome").coverage(c -> {
            c.check("decoded").percentage(p -> p > 1);
            c.checkPattern("refused: length .*").percentage(p -> p > 5);
            c.checkPattern("refused: .*(underflow|left after).*").percentage(p -> p > 1);
        });
    }

    /**
     * A manifest (format 2) whose payload is mutated, inside a valid header and CRC: its handles'
     * fields (sizes, chunk counts, placements, tags) decode or fail cleanly too.
     */
    @Property(tries = 5000)
    void validHeaderAroundMutatedManifests_decodesOrFailsCleanly(
            @ForAll @Size(min = 1, max = 4) List<@From("mutations") Mutation> mutations) {
        byte[] payload = payload(SnapshotCodec.encode(SnapshotCodecTest.goldenManifest()));
        for (Mutation m : mutations) {
            payload = m.apply(payload);
        }
        assertDecodesOrFailsInThePayload(SnapshotCodecTest.blob(payload, SnapshotCodec.MANIFEST_VERSION));

        Statistics.label("outcome").coverage(c -> {
            c.check("decoded").percentage(p -> p > 1);
            c.checkPattern("refused: .*").percentage(p -> p > 20);
        });
    }

    /** Valid header and CRC around random payloads, mostly after the checkpoint's class id. */
    @Property(tries = 8000)
    void validHeaderAroundRandomPayloads_decodesOrFailsCleanly(@ForAll("randomPayloads") byte[] payload) {
        assertDecodesOrFailsInThePayload(SnapshotCodecTest.blob(payload));

        Statistics.label("outcome").coverage(c -> {
            c.checkPattern("refused: payload is a .*").percentage(p -> p > 10);
            c.checkPattern("refused: .*(length|underflow|identity|type).*").percentage(p -> p > 10);
        });
    }

    /** The property, for a blob whose header and checksum are valid: any refusal is of the payload. */
    private static void assertDecodesOrFailsInThePayload(byte[] blob) {
        Outcome outcome = assertClean(blob);
        if (outcome.decoded() != null) {
            assertRoundTrips(outcome.decoded());
            Statistics.label("outcome").collect("decoded");
        } else {
            SnapshotFormatException e = (SnapshotFormatException) outcome.thrown();
            assertEquals(Reason.MALFORMED_PAYLOAD, e.reason(), e.getMessage());
            // What refused it, numbers and names blanked: "length N exceeds the N bytes left".
            String why = e.getMessage()
                    .replaceFirst("^payload does not decode: ", "")
                    .replaceAll("-?[0-9]+", "N")
                    .replaceAll("(payload is an?) .*(, not a checkpoint)", "$1 X$2")
                    .replaceAll("(invalid checkpoint identity): .*", "$1");
            Statistics.label("outcome").collect("refused: " + why);
        }
    }

    /**
     * A checkpoint written field by field as the format says, with one length or count replaced by
     * a hostile value of up to 2^31 (or a negative one): refused at once, nothing allocated for it.
     */
    @Property(tries = 3000)
    void hostileLengthsInACheckpoint_areRefusedQuickly_withoutAllocating(
            @ForAll("checkpointsWithTasksAndMetadata") CompletedCheckpoint checkpoint,
            @ForAll @IntRange(min = 0, max = LENGTH_FIELDS - 1) int field,
            @ForAll("hostileLengths") int length,
            @ForAll @Size(max = 64) byte[] tail) {
        byte[] payload = writeWithHostileLength(checkpoint, field, length, tail);
        SnapshotFormatException e = assertRefusedQuickly(SnapshotCodecTest.blob(payload));
        assertEquals(Reason.MALFORMED_PAYLOAD, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    /**
     * Every other class Kryo has registered, followed by a hostile length (as a varint, and as the
     * length header of Kryo's own string format): a snapshot is a checkpoint or nothing, and no
     * other class's serializer gets to size a buffer from the blob.
     */
    @Property(tries = 3000)
    void otherRegisteredClasses_withHostileLengths_areRefusedQuickly_withoutAllocating(
            @ForAll("otherRegisteredClassIds") int classId,
            @ForAll("hostileLengths") int length,
            @ForAll boolean asKryoStringLength,
            @ForAll @Size(max = 3) byte[] prefix,
            @ForAll @Size(max = 64) byte[] tail) {
        Output payload = new Output(128, -1);
        payload.writeVarInt(classId + 2, true);
        payload.writeBytes(prefix);
        if (asKryoStringLength) {
            writeKryoStringLength(payload, length);
        } else {
            payload.writeVarInt(length, true);
        }
        payload.writeBytes(tail);
        SnapshotFormatException e = assertRefusedQuickly(SnapshotCodecTest.blob(payload.toBytes()));
        assertEquals(Reason.MALFORMED_PAYLOAD, e.reason(), e.getMessage());
        assertTrue(e.getMessage().endsWith(", not a checkpoint"), e.getMessage());
    }

    /**
     * Kryo's "class by name" marker with the name of a class outside the registry, followed by
     * anything: refused, and the class is never initialized (its static initializer never runs).
     */
    @Property(tries = 1000)
    void payloadsNamingClassesOutsideTheRegistry_areRefused_neverInstantiated(
            @ForAll("foreignClassNames") String className,
            @ForAll @IntRange(min = 0, max = 1000) int nameId,
            @ForAll @Size(max = 64) byte[] tail) {
        Output payload = new Output(256, -1);
        payload.writeVarInt(1, true); // NAME + 2
        payload.writeVarInt(nameId, true);
        payload.writeString(className);
        payload.writeBytes(tail);

        SnapshotFormatException e = assertRefused(SnapshotCodecTest.blob(payload.toBytes()));

        assertEquals(Reason.MALFORMED_PAYLOAD, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("class names are not accepted"), e.getMessage());
        assertFalse(CANARY_INITIALIZED.get(), "a payload naming " + CANARY + " initialized it");
    }

    /** A class id nobody registered, followed by anything: refused. */
    @Property(tries = 1000)
    void payloadsWithUnregisteredClassIds_areRefused(
            @ForAll("unregisteredClassIds") int classId, @ForAll @Size(max = 64) byte[] tail) {
        Output payload = new Output(80, -1);
        payload.writeVarInt(classId + 2, true);
        payload.writeBytes(tail);

        SnapshotFormatException e = assertRefused(SnapshotCodecTest.blob(payload.toBytes()));

        assertEquals(Reason.MALFORMED_PAYLOAD, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("unregistered class ID"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------
    // Regressions: what the properties above found

    /**
     * A payload of Kryo's own String (registered by Kryo itself) claiming 2^30 characters: Kryo's
     * string reader allocated a char[] of that length (2 GiB) before reading any of them.
     */
    @Example
    void aPayloadOfKryosStringClaiming2pow30Chars_isRefused_beforeAllocating() {
        Output payload = new Output(16);
        payload.writeVarInt(kryoId(String.class) + 2, true);
        writeKryoStringLength(payload, 1 << 30);

        SnapshotFormatException e = assertRefusedQuickly(SnapshotCodecTest.blob(payload.toBytes()));

        assertEquals(Reason.MALFORMED_PAYLOAD, e.reason());
        assertEquals("payload does not decode: payload is a String, not a checkpoint", e.getMessage());
    }

    /**
     * byte[] and HashMap were registered beside the snapshot (for cluster messages) until the two
     * registries were parted: a blob that names their old ids (250, 251) with a huge length is now
     * refused as naming no registered class, before any length is read, let alone allocated.
     */
    @Example
    void aPayloadNamingTheMessagesByteArrayOrHashMap_isRefusedAsUnregistered_beforeAllocating() {
        for (int id : new int[] {250, 251}) {
            Output payload = new Output(16);
            payload.writeVarInt(id + 2, true);
            payload.writeVarInt(Integer.MAX_VALUE - 8, true);

            SnapshotFormatException e = assertRefusedQuickly(SnapshotCodecTest.blob(payload.toBytes()));

            assertEquals(Reason.MALFORMED_PAYLOAD, e.reason());
            assertTrue(e.getMessage().contains(Integer.toString(id)), e.getMessage());
        }
    }

    private static int kryoId(Class<?> type) {
        return SnapshotKryo.with(kryo -> kryo.getRegistration(type).getId());
    }

    // ------------------------------------------------------------------------------------------
    // The property and its checks

    /** What one decode did. */
    record Outcome(CompletedCheckpoint decoded, Throwable thrown, long cpuNanos, long allocatedBytes) {}

    /**
     * Decodes on a worker thread, with a time bound, measuring what the decode allocated on that
     * thread; any Throwable (an OutOfMemoryError too) is captured, not rethrown.
     */
    static Outcome decode(byte[] blob) {
        Future<Outcome> future = WORKERS.submit(() -> {
            long allocatedBefore = allocatedBytes();
            long start = cpuNanos();
            CompletedCheckpoint decoded = null;
            Throwable thrown = null;
            try {
                decoded = SnapshotCodec.decode(blob);
            } catch (Throwable t) {
                thrown = t;
            }
            return new Outcome(decoded, thrown, cpuNanos() - start, allocatedBytes() - allocatedBefore);
        });
        try {
            return future.get(TIME_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionFailedError(
                    "decode did not finish within " + TIME_BOUND + " for a blob of " + describe(blob));
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionFailedError("decode could not be run", e);
        }
    }

    /** The property: a checkpoint (returned) or a SnapshotFormatException (null), cheaply. */
    static CompletedCheckpoint assertDecodesOrFailsCleanly(byte[] blob) {
        return assertClean(blob).decoded();
    }

    /** The property, and the blob must be refused. */
    static SnapshotFormatException assertRefused(byte[] blob) {
        Outcome outcome = assertClean(blob);
        if (outcome.decoded() != null) {
            fail("a blob of " + describe(blob) + " decoded to " + outcome.decoded());
        }
        return (SnapshotFormatException) outcome.thrown();
    }

    /** Refused within {@link #QUICKLY} of CPU: for hostile lengths, which must be refused before any work. */
    static SnapshotFormatException assertRefusedQuickly(byte[] blob) {
        Outcome outcome = assertClean(blob);
        assertEquals(null, outcome.decoded(), "decoded");
        assertTrue(
                outcome.cpuNanos() < QUICKLY.toNanos(),
                "refused after " + outcome.cpuNanos() / 1_000_000 + " ms of CPU: a blob of " + describe(blob));
        return (SnapshotFormatException) outcome.thrown();
    }

    private static Outcome assertClean(byte[] blob) {
        Outcome outcome = decode(blob);
        if (outcome.thrown() != null && !(outcome.thrown() instanceof SnapshotFormatException)) {
            throw new AssertionFailedError(
                    "decode threw " + outcome.thrown() + " for a blob of " + describe(blob), outcome.thrown());
        }
        long bound = ALLOCATION_BASE + ALLOCATION_PER_BLOB_BYTE * blob.length;
        if (outcome.allocatedBytes() > bound) {
            fail("decode allocated " + outcome.allocatedBytes() + " bytes (bound " + bound + ") in "
                    + outcome.cpuNanos() / 1_000_000 + " ms of CPU for a blob of " + describe(blob));
        }
        if (outcome.thrown() == null) {
            assertNotNull(outcome.decoded(), "decode returned null");
        }
        return outcome;
    }

    private static void assertRoundTrips(CompletedCheckpoint decoded) {
        try {
            assertEquals(decoded, SnapshotCodec.decode(SnapshotCodec.encode(decoded)));
        } catch (SnapshotFormatException e) {
            throw new AssertionFailedError("a decoded checkpoint does not round-trip: " + decoded, e);
        }
    }

    static String describe(byte[] blob) {
        String hex = HexFormat.of().formatHex(blob, 0, Math.min(blob.length, 96));
        return blob.length + " bytes: " + hex + (blob.length > 96 ? "..." : "");
    }

    private static long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    static byte[] payload(byte[] blob) {
        return Arrays.copyOfRange(blob, SnapshotCodec.HEADER_SIZE, blob.length);
    }

    // ------------------------------------------------------------------------------------------
    // Checkpoints

    @Provide
    Arbitrary<CompletedCheckpoint> checkpoints() {
        return checkpoints(0);
    }

    @Provide
    Arbitrary<CompletedCheckpoint> checkpointsWithTasksAndMetadata() {
        return checkpoints(1);
    }

    static Arbitrary<CompletedCheckpoint> checkpoints(int minEntries) {
        Arbitrary<String> names = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withCharRange('A', 'Z')
                .withCharRange('0', '9')
                .withChars('.', '_', '-')
                .ofMinLength(1)
                .ofMaxLength(24)
                .filter(s -> !s.startsWith("."));
        Arbitrary<String> text = Arbitraries.strings()
                .withCharRange(' ', '~')
                .withCharRange('\u00a0', '\u07ff')
                .withCharRange('\u4e00', '\u4e40')
                .ofMaxLength(20);
        Arbitrary<TaskState> task = Combinators.combine(
                        text, Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
                .as(TaskState::new);
        Arbitrary<PipelineKey> pipeline = Combinators.combine(names, names).as(PipelineKey::of);
        return Combinators.combine(
                        pipeline,
                        Arbitraries.longs().between(0, Long.MAX_VALUE).map(CheckpointId::of),
                        Arbitraries.of(CheckpointType.class),
                        Arbitraries.longs(),
                        Arbitraries.longs(),
                        task.list().ofMinSize(minEntries).ofMaxSize(5),
                        Arbitraries.maps(text, text).ofMinSize(minEntries).ofMaxSize(4))
                .as(CompletedCheckpoint::new);
    }

    // ------------------------------------------------------------------------------------------
    // Blobs and payloads

    @Provide
    Arbitrary<byte[]> randomBlobs() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        byte[] magic = "CAIRNCKP".getBytes(StandardCharsets.US_ASCII);
        byte[] magicVersionFlags = Arrays.copyOf(magic, 12);
        magicVersionFlags[9] = 1;
        return Arbitraries.frequencyOf(
                Tuple.of(2, random),
                Tuple.of(1, random.map(r -> concat(magic, r))),
                Tuple.of(2, random.map(r -> concat(magicVersionFlags, r))));
    }

    /** Random bytes after a class id: mostly the checkpoint's, else another class Kryo has registered. */
    @Provide
    Arbitrary<byte[]> randomPayloads() {
        Arbitrary<Integer> ids = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.just(SnapshotKryo.COMPLETED_CHECKPOINT)),
                Tuple.of(3, Arbitraries.of(registeredClassIds())),
                Tuple.of(1, Arbitraries.integers().between(-2, 300)));
        Arbitrary<byte[]> rest = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        return Combinators.combine(ids, rest).as((id, bytes) -> {
            Output output = new Output(8 + bytes.length, -1);
            output.writeVarInt(id + 2, true);
            output.writeBytes(bytes);
            return output.toBytes();
        });
    }

    @Provide
    Arbitrary<Integer> anywhere() {
        return positions();
    }

    /**
     * A position anywhere in a blob, once taken modulo its length: mostly uniform (jqwik's
     * integers favour small values, which would keep every change in the header), some small.
     */
    static Arbitrary<Integer> positions() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 1 << 30).withDistribution(RandomDistribution.uniform())),
                Tuple.of(1, Arbitraries.integers().greaterOrEqual(0)));
    }

    /** Lengths a corrupt or hostile blob may claim: up to 2^31 - 1, 2^31 itself (negative) and below. */
    @Provide
    Arbitrary<Integer> hostileLengths() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        Integer.MAX_VALUE,
                        Integer.MAX_VALUE - 1,
                        Integer.MAX_VALUE - 8,
                        Integer.MAX_VALUE / 2,
                        1 << 30,
                        (1 << 30) + 1,
                        1 << 28,
                        1 << 24,
                        Integer.MIN_VALUE,
                        -1),
                Arbitraries.integers().between(1 << 20, Integer.MAX_VALUE),
                Arbitraries.integers().between(Integer.MIN_VALUE, -1));
    }

    @Provide
    Arbitrary<Integer> otherRegisteredClassIds() {
        return Arbitraries.of(registeredClassIds().stream()
                .filter(id -> id != SnapshotKryo.COMPLETED_CHECKPOINT)
                .toList());
    }

    @Provide
    Arbitrary<Integer> unregisteredClassIds() {
        List<Integer> registered = registeredClassIds();
        return Arbitraries.oneOf(
                        Arbitraries.integers().between(0, 400),
                        Arbitraries.integers().between(0, Integer.MAX_VALUE - 2))
                .filter(id -> !registered.contains(id));
    }

    @Provide
    Arbitrary<String> foreignClassNames() {
        return Arbitraries.oneOf(
                Arbitraries.of(FOREIGN_CLASSES),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60));
    }

    /** The ids of every class the snapshot Kryo has registered, Kryo's own and Cairn's. */
    static List<Integer> registeredClassIds() {
        return SnapshotKryo.with(kryo -> IntStream.range(0, 1000)
                .filter(id -> {
                    Registration registration = kryo.getRegistration(id);
                    return registration != null;
                })
                .boxed()
                .toList());
    }

    // The length fields of format 1, in the order CompletedCheckpointSerializer writes them.
    static final int JOB_ID_LENGTH = 0;
    static final int PIPELINE_LENGTH = 1;
    static final int TASK_COUNT = 2;
    static final int TASK_ID_LENGTH = 3;
    static final int STATE_LENGTH = 4;
    static final int METADATA_COUNT = 5;
    static final int KEY_LENGTH = 6;
    static final int VALUE_LENGTH = 7;
    static final int LENGTH_FIELDS = 8;

    /**
     * The payload of {@code c} as format 1 writes it (see CompletedCheckpointSerializer), written
     * here independently, up to length field {@code field}, which is {@code length} instead, then
     * {@code tail}.
     */
    static byte[] writeWithHostileLength(CompletedCheckpoint c, int field, int length, byte[] tail) {
        Output out = new Output(256, -1);
        out.writeVarInt(SnapshotKryo.COMPLETED_CHECKPOINT + 2, true);
        class Writer {
            boolean done;

            void bytes(int which, byte[] value) {
                if (done) {
                    return;
                }
                if (which == field) {
                    out.writeVarInt(length, true);
                    done = true;
                } else {
                    out.writeVarInt(value.length, true);
                    out.writeBytes(value);
                }
            }

            void count(int which, int value) {
                if (done) {
                    return;
                }
                out.writeVarInt(which == field ? length : value, true);
                done = which == field;
            }

            void raw(Runnable write) {
                if (!done) {
                    write.run();
                }
            }
        }
        Writer w = new Writer();
        w.bytes(JOB_ID_LENGTH, utf8(c.pipeline().jobId().value()));
        w.bytes(PIPELINE_LENGTH, utf8(c.pipeline().pipeline()));
        w.raw(() -> {
            out.writeVarLong(c.id().value(), true);
            out.writeVarInt(c.type().ordinal(), true);
            out.writeLong(c.triggeredAt());
            out.writeLong(c.completedAt());
        });
        w.count(TASK_COUNT, c.taskStates().size());
        for (TaskState state : c.taskStates()) {
            w.bytes(TASK_ID_LENGTH, utf8(state.taskId()));
            w.bytes(STATE_LENGTH, state.state());
        }
        w.count(METADATA_COUNT, c.metadata().size());
        for (Map.Entry<String, String> e : c.metadata().entrySet()) {
            w.bytes(KEY_LENGTH, utf8(e.getKey()));
            w.bytes(VALUE_LENGTH, utf8(e.getValue()));
        }
        assertTrue(w.done, "field " + field + " was not written");
        out.writeBytes(tail);
        return out.toBytes();
    }

    /**
     * Kryo's own string format: a UTF-8 string of {@code chars} characters starts so (a varint
     * whose first byte has the UTF-8 flag, 0x80, and 6 bits of the length plus one).
     */
    static void writeKryoStringLength(Output out, int chars) {
        int value = chars + 1; // 0 is null, 1 is empty
        out.writeByte(0x80 | 0x40 | (value & 0x3F)); // UTF-8, more length bytes follow
        out.writeVarInt(value >>> 6, true);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] result = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }

    // ------------------------------------------------------------------------------------------
    // Mutations

    enum Op {
        FLIP_BIT,
        SET_BYTE,
        INSERT_BYTES,
        DELETE_RANGE,
        OVERWRITE_VARINT,
        INSERT_VARINT,
        TRUNCATE,
        DUPLICATE_RANGE
    }

    /** One change to a payload; positions are taken modulo its length. */
    record Mutation(Op op, int at, int value, byte[] bytes) {
        byte[] apply(byte[] payload) {
            int n = payload.length;
            int pos = n == 0 ? 0 : Math.floorMod(at, n);
            ByteArrayOutputStream out = new ByteArrayOutputStream(n + 16);
            switch (op) {
                case FLIP_BIT -> {
                    if (n == 0) {
                        return payload;
                    }
                    byte[] copy = payload.clone();
                    copy[pos] ^= (byte) (1 << Math.floorMod(value, 8));
                    return copy;
                }
                case SET_BYTE -> {
                    if (n == 0) {
                        return payload;
                    }
                    byte[] copy = payload.clone();
                    copy[pos] = (byte) value;
                    return copy;
                }
                case INSERT_BYTES -> {
                    out.write(payload, 0, pos);
                    out.writeBytes(bytes);
                    out.write(payload, pos, n - pos);
                }
                case DELETE_RANGE -> {
                    int len = Math.min(n - pos, 1 + Math.floorMod(value, 8));
                    out.write(payload, 0, pos);
                    out.write(payload, pos + len, n - pos - len);
                }
                case OVERWRITE_VARINT, INSERT_VARINT -> {
                    Output varint = new Output(5);
                    varint.writeVarInt(value, true);
                    byte[] v = varint.toBytes();
                    out.write(payload, 0, pos);
                    out.writeBytes(v);
                    int skip = op == Op.OVERWRITE_VARINT ? Math.min(v.length, n - pos) : 0;
                    out.write(payload, pos + skip, n - pos - skip);
                }
                case TRUNCATE -> {
                    return Arrays.copyOf(payload, pos);
                }
                case DUPLICATE_RANGE -> {
                    int len = Math.min(n - pos, 1 + Math.floorMod(value, 16));
                    out.write(payload, 0, pos + len);
                    out.write(payload, pos, n - pos);
                }
            }
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return op + "@" + at + "(" + value
                    + (bytes.length > 0 ? ", " + HexFormat.of().formatHex(bytes) : "") + ")";
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Integer> values =
                Arbitraries.oneOf(Arbitraries.integers().between(-2, 300), Arbitraries.integers(), hostileLengths());
        return Combinators.combine(
                        Arbitraries.of(Op.class),
                        positions(),
                        values,
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(8))
                .as(Mutation::new);
    }
}
