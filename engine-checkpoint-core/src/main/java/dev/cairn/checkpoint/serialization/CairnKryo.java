package dev.cairn.checkpoint.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.Pool;
import dev.cairn.checkpoint.cluster.JobRecord;
import dev.cairn.checkpoint.cluster.LatencyHistogram;
import dev.cairn.checkpoint.cluster.Messages;
import dev.cairn.checkpoint.cluster.PipelineStats;
import dev.cairn.checkpoint.coordinator.CheckpointStats;
import dev.cairn.checkpoint.coordinator.FailureReason;
import dev.cairn.checkpoint.snapshot.CheckpointType;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.function.Function;

/**
 * The one place Kryo is configured, with every class Cairn serializes and its registration id.
 *
 * <p>Registration is required: a blob or message can only name these classes, by id. A class name
 * in the input (Kryo's fallback for unregistered classes) is refused before it is even looked up,
 * so no class outside this list is ever loaded, let alone instantiated.
 *
 * <p><b>Ids are forever.</b> Snapshots written with an id must stay readable: never renumber or
 * reuse one; retire a class by leaving its id unused. Ids below 100 are Kryo's own (primitives,
 * String).
 */
public final class CairnKryo {
    /** {@link CompletedCheckpoint}: snapshot format version 1. */
    public static final int COMPLETED_CHECKPOINT = 100;

    // Cluster messages (between members of one version: free to change, still never reused).
    private static final int SUBMIT_JOB = 200;
    private static final int DEPLOY = 201;
    private static final int TRIGGER = 202;
    private static final int NOTIFY = 203;
    private static final int CANCEL = 204;
    private static final int ACK = 205;
    private static final int TASK_EVENT = 206;
    private static final int TASK_EVENT_KIND = 207;
    private static final int REPLY = 208;
    private static final int JOB_RECORD = 209;
    private static final int JOB_STATE = 210;
    private static final int CANCEL_JOB = 211;
    private static final int TAKE_SAVEPOINT = 212;
    private static final int CHECKPOINT_STATS = 213;
    private static final int FAILURE_REASON = 214;
    private static final int CHECKPOINT_TYPE = 215;
    private static final int PIPELINE_STATS = 216;
    private static final int LATENCY_HISTOGRAM = 217;
    private static final int LONG_ARRAY = 253;
    private static final int ARRAY_LIST = 252;
    private static final int BYTE_ARRAY = 250;
    private static final int HASH_MAP = 251;

    private static final Pool<Kryo> POOL = new Pool<>(true, false, 32) {
        @Override
        protected Kryo create() {
            return newKryo();
        }
    };

    private CairnKryo() {}

    static Kryo newKryo() {
        Kryo kryo = new Kryo(new NoClassNames(), null);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        register(kryo, CompletedCheckpoint.class, new CompletedCheckpointSerializer(), COMPLETED_CHECKPOINT);
        kryo.register(byte[].class, BYTE_ARRAY);
        kryo.register(HashMap.class, HASH_MAP);
        kryo.register(Messages.SubmitJob.class, SUBMIT_JOB);
        kryo.register(Messages.Deploy.class, DEPLOY);
        kryo.register(Messages.Trigger.class, TRIGGER);
        kryo.register(Messages.Notify.class, NOTIFY);
        kryo.register(Messages.Cancel.class, CANCEL);
        kryo.register(Messages.Ack.class, ACK);
        kryo.register(Messages.TaskEvent.class, TASK_EVENT);
        kryo.register(Messages.TaskEvent.Kind.class, TASK_EVENT_KIND);
        kryo.register(Messages.Reply.class, REPLY);
        kryo.register(JobRecord.class, JOB_RECORD);
        kryo.register(JobRecord.State.class, JOB_STATE);
        kryo.register(Messages.CancelJob.class, CANCEL_JOB);
        kryo.register(Messages.TakeSavepoint.class, TAKE_SAVEPOINT);
        kryo.register(CheckpointStats.class, CHECKPOINT_STATS);
        kryo.register(FailureReason.class, FAILURE_REASON);
        kryo.register(CheckpointType.class, CHECKPOINT_TYPE);
        kryo.register(ArrayList.class, ARRAY_LIST);
        kryo.register(long[].class, LONG_ARRAY);
        kryo.register(PipelineStats.class, PIPELINE_STATS);
        kryo.register(LatencyHistogram.class, LATENCY_HISTOGRAM);
        return kryo;
    }

    private static <T> void register(Kryo kryo, Class<T> type, Serializer<T> serializer, int id) {
        kryo.register(type, serializer, id);
    }

    /**
     * Exactly the bytes {@code writeClassAndObject(checkpoint)} produces: the class id (varint of
     * id + 2, as Kryo writes it) and the fields.
     */
    public static int encodedSize(CompletedCheckpoint checkpoint) {
        return Output.varIntLength(COMPLETED_CHECKPOINT + 2, true) + CompletedCheckpointSerializer.size(checkpoint);
    }

    /** Encodes a cluster message (any registered class). */
    public static byte[] encodeMessage(Object message) {
        return with(kryo -> {
            // Sized for the bytes a message carries, so that a task's 64 MiB acknowledgement is
            // not copied through every doubling of a small buffer.
            Output output = new Output(256 + Messages.payloadBytes(message), -1);
            kryo.writeClassAndObject(output, message);
            return output.toBytes();
        });
    }

    /** Decodes what {@link #encodeMessage} encoded. */
    public static Object decodeMessage(byte[] bytes) {
        return with(kryo -> kryo.readClassAndObject(new Input(bytes)));
    }

    /** Runs {@code work} with a pooled Kryo instance. */
    public static <T> T with(Function<Kryo, T> work) {
        Kryo kryo = POOL.obtain();
        try {
            return work.apply(kryo);
        } finally {
            POOL.free(kryo);
        }
    }

    /** Refuses class names in the input instead of loading the class they name. */
    private static final class NoClassNames extends DefaultClassResolver {
        @Override
        protected Registration readName(Input input) {
            throw new KryoException("class names are not accepted, only registered class ids");
        }
    }
}
