package dev.cairn.checkpoint.cluster.internal.rpc;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.CheckpointFailureReason;
import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.JobFailure;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.LatencyHistogram;
import dev.cairn.checkpoint.api.PipelineStats;
import dev.cairn.checkpoint.snapshot.SnapshotKryo;
import dev.cairn.checkpoint.snapshot.StateHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;

/**
 * The Kryo of the cluster's messages and of the job records in its maps: every class members say
 * to each other, with its registration id. Members of one version talk to each other, so these ids
 * may change between releases (never reused within one); the stored snapshot format has a registry
 * of its own ({@link SnapshotKryo}), whose ids are forever. Registration is required and class
 * names in the input are refused, as there.
 */
public final class MessageKryo {
    /**
     * The version of this registry, as members and clients announce it ({@link
     * #PROTOCOL_ATTRIBUTE}): raised whenever an id or a message's fields change.
     */
    public static final String PROTOCOL = "4";

    /**
     * The member attribute that says which Cairn protocol (message ids) a member speaks: members and
     * clients of one protocol work together, others are refused with a clear word.
     */
    public static final String PROTOCOL_ATTRIBUTE = "cairn.protocol";

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
    private static final int REFUSAL_REASON = 218;
    private static final int JOB_FAILURE = 219;
    private static final int JOB_FAILURE_REASON = 220;
    private static final int STATE_HANDLE = 221;
    private static final int STORE_PARTS = 222;
    private static final int PARTS_STORED = 223;
    private static final int FETCH_PARTS = 224;
    private static final int PARTS_FETCHED = 225;
    private static final int INT_ARRAY = 255;
    private static final int BYTE_ARRAY = 250;
    private static final int HASH_MAP = 251;
    private static final int ARRAY_LIST = 252;
    private static final int LONG_ARRAY = 253;
    private static final int LINKED_HASH_MAP = 254;

    private static final Pool<Kryo> POOL = new Pool<>(true, false, 16) {
        @Override
        protected Kryo create() {
            return newKryo();
        }
    };

    private MessageKryo() {}

    static Kryo newKryo() {
        Kryo kryo = SnapshotKryo.strict();
        kryo.register(byte[].class, BYTE_ARRAY);
        kryo.register(HashMap.class, HASH_MAP);
        kryo.register(ArrayList.class, ARRAY_LIST);
        kryo.register(long[].class, LONG_ARRAY);
        kryo.register(LinkedHashMap.class, LINKED_HASH_MAP);
        kryo.register(int[].class, INT_ARRAY);
        kryo.register(Messages.SubmitJob.class, SUBMIT_JOB);
        kryo.register(Messages.Deploy.class, DEPLOY);
        kryo.register(Messages.Trigger.class, TRIGGER);
        kryo.register(Messages.Notify.class, NOTIFY);
        kryo.register(Messages.Cancel.class, CANCEL);
        kryo.register(Messages.Ack.class, ACK);
        kryo.register(Messages.TaskEvent.class, TASK_EVENT);
        kryo.register(Messages.TaskEvent.Kind.class, TASK_EVENT_KIND);
        kryo.register(Messages.Reply.class, REPLY);
        kryo.register(JobStatus.class, JOB_RECORD);
        kryo.register(JobState.class, JOB_STATE);
        kryo.register(Messages.CancelJob.class, CANCEL_JOB);
        kryo.register(Messages.TakeSavepoint.class, TAKE_SAVEPOINT);
        kryo.register(CheckpointStats.class, CHECKPOINT_STATS);
        kryo.register(CheckpointFailureReason.class, FAILURE_REASON);
        kryo.register(CheckpointType.class, CHECKPOINT_TYPE);
        kryo.register(PipelineStats.class, PIPELINE_STATS);
        kryo.register(LatencyHistogram.class, LATENCY_HISTOGRAM);
        kryo.register(CairnException.Reason.class, REFUSAL_REASON);
        kryo.register(JobFailure.class, JOB_FAILURE);
        kryo.register(JobFailure.Reason.class, JOB_FAILURE_REASON);
        kryo.register(StateHandle.class, STATE_HANDLE);
        kryo.register(Messages.StoreParts.class, STORE_PARTS);
        kryo.register(Messages.PartsStored.class, PARTS_STORED);
        kryo.register(Messages.FetchParts.class, FETCH_PARTS);
        kryo.register(Messages.PartsFetched.class, PARTS_FETCHED);
        return kryo;
    }

    /** Encodes a message (any registered class). */
    static byte[] encode(Object message) {
        Kryo kryo = POOL.obtain();
        try {
            // Sized for the bytes a message carries, so that a task's 64 MiB acknowledgement is
            // not copied through every doubling of a small buffer.
            Output output = new Output(256 + Messages.payloadBytes(message), -1);
            kryo.writeClassAndObject(output, message);
            return output.toBytes();
        } finally {
            POOL.free(kryo);
        }
    }

    /** Decodes what {@link #encode} encoded. */
    public static Object decode(byte[] bytes) {
        Kryo kryo = POOL.obtain();
        try {
            return kryo.readClassAndObject(new Input(bytes));
        } finally {
            POOL.free(kryo);
        }
    }
}
