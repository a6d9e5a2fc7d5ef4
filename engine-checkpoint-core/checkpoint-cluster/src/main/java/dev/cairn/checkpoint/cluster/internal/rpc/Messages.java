package dev.cairn.checkpoint.cluster.internal.rpc;

import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.snapshot.StateHandle;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.JobId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What members (and clients) say to each other. Plain records, encoded with Kryo ({@code
 * MessageKryo} lists every one with its id) inside a {@link CairnCall}.
 */
public final class Messages {
    private Messages() {}

    /** Bytes of state a message carries (a size hint for encoding it). */
    public static int payloadBytes(Object message) {
        if (message instanceof Ack ack) {
            return ack.state() == null ? 64 + 4 * ack.handle().chunkCount() : ack.state().length;
        }
        if (message instanceof Deploy deploy) {
            return deploy.restored().values().stream()
                    .mapToInt(s -> s.length + 32)
                    .sum();
        }
        return 0;
    }

    /** Marks messages handled by the master member (forwarded there by whichever member gets them). */
    public interface ToMaster {}

    /**
     * Submits a job; answered with a {@link Reply}. {@code restoreFrom} is empty, or {@code
     * savepoint} or {@code checkpoint} with {@code restoreId}: restore exactly that.
     */
    public record SubmitJob(
            String jobId, String type, HashMap<String, String> params, String restoreFrom, long restoreId)
            implements ToMaster {
        public static SubmitJob of(JobSpec spec) {
            return new SubmitJob(spec.jobId().value(), spec.type(), new HashMap<>(spec.params()), "", -1);
        }

        public static SubmitJob of(JobSpec spec, RestoreRequest restore) {
            return new SubmitJob(
                    spec.jobId().value(),
                    spec.type(),
                    new HashMap<>(spec.params()),
                    restore.type().name(),
                    restore.id());
        }

        public JobSpec spec() {
            return new JobSpec(JobId.of(jobId), type, params);
        }

        public RestoreRequest restore() {
            return restoreFrom.isEmpty() ? null : new RestoreRequest(CheckpointType.valueOf(restoreFrom), restoreId);
        }
    }

    /** Takes a savepoint of every pipeline of a running job; {@code stop}: then cancels it. */
    public record TakeSavepoint(String jobId, boolean stop) implements ToMaster {}

    /** Cancels a running job: its tasks stop; its checkpoints stay in storage. */
    public record CancelJob(String jobId) implements ToMaster {}

    /**
     * Deploys subtask {@code subtask} of a pipeline, for execution attempt {@code attempt} of the
     * master of {@code epoch}. A member runs the newest (epoch, attempt) it was given and refuses
     * older ones: a deposed master cannot replace the tasks of the one that superseded it.
     *
     * @param restored the tasks' states that travel with the deploy (inline states)
     * @param fetched the tasks whose states this member read itself for this attempt ({@link
     *     FetchParts}): it refuses the deploy if it does not hold them
     */
    public record Deploy(
            String jobId,
            String type,
            HashMap<String, String> params,
            String pipeline,
            int subtask,
            long epoch,
            int attempt,
            String master,
            HashMap<String, byte[]> restored,
            ArrayList<String> fetched) {
        public JobSpec spec() {
            return new JobSpec(JobId.of(jobId), type, params);
        }

        static HashMap<String, byte[]> copy(Map<String, byte[]> restored) {
            return new HashMap<>(restored);
        }
    }

    /** Starts checkpoint {@code id} at the sources of a pipeline's subtasks on the receiving member. */
    public record Trigger(String jobId, String pipeline, long epoch, int attempt, long id, boolean finalCheckpoint) {}

    /** Checkpoint {@code id} is committed ({@code complete}: sinks commit up to it) or was aborted. */
    public record Notify(String jobId, String pipeline, long epoch, int attempt, long id, boolean complete) {}

    /**
     * Stops the pipeline's tasks of every older epoch, and of {@code epoch} those with an attempt up
     * to {@code upToAttempt}; never a task of a newer epoch. Answered once they stopped.
     */
    public record Cancel(String jobId, String pipeline, long epoch, int upToAttempt) {}

    /**
     * A task's acknowledgement of checkpoint {@code id}: its state inline ({@code state}), or, when
     * larger than {@code inline-state-limit}, a {@code handle} to the part its member put aside (then
     * {@code state} is null); {@code records}: what a sink was given for it.
     */
    public record Ack(
            String jobId,
            String pipeline,
            long epoch,
            int attempt,
            long id,
            String taskId,
            byte[] state,
            StateHandle handle,
            long records)
            implements ToMaster {

        /** The task's state as the coordinator takes it. */
        public TaskState taskState() {
            return handle != null ? TaskState.of(taskId, handle) : new TaskState(taskId, state);
        }
    }

    /**
     * To the member that holds some of a manifest's parts: store them ({@code ordinals}: which of
     * the manifest's task states), then answer with {@link PartsStored}. Answered at once; the
     * storing runs on the member's own storage threads.
     *
     * @param requester the member (uuid) that asked, and hears the answer
     * @param where the pipeline the manifest is stored under ({@code P} or {@code P.savepoints})
     * @param manifest the encoded manifest, as the snapshot map holds it
     */
    public record StoreParts(
            String requester, String jobId, String where, long requestId, byte[] manifest, int[] ordinals) {}

    /**
     * A member's answer to {@link StoreParts}, sent to the member that asked: all stored, or not and
     * why ({@code missing}: a part is gone from the cluster's memory for good).
     */
    public record PartsStored(long requestId, boolean ok, boolean missing, String detail) {}

    /**
     * Asks a member to read the states of a restore point's tasks that it will run, before any of
     * them is deployed: each part of the manifest's task states at {@code ordinals} from the
     * cluster's memory, else from storage, verified, and kept for the {@link Deploy} of {@code
     * attempt}. Answered at once; the reading runs on the member's own storage threads, then it
     * answers with {@link PartsFetched}. The master deploys only once every member holds its
     * tasks' states, so a part found missing or corrupt never follows a sink's commit.
     *
     * <p>A new master restores from a copy of the restore point under an id of its own ({@code
     * copyId}, -1 for none): the member then also frames each state it read as a part of the copy
     * and puts its chunks into the cluster's memory on partitions it owns, as a task does at a
     * barrier, and answers with their handles. The copy's parts are so written, and later stored,
     * by the members, never by the master.
     *
     * @param requester the member (uuid) that asked, and hears the answer
     * @param where the pipeline the manifest is stored under ({@code P} or {@code P.savepoints})
     * @param manifest the encoded manifest
     */
    public record FetchParts(
            String requester,
            String jobId,
            String pipeline,
            long epoch,
            int attempt,
            String where,
            long requestId,
            byte[] manifest,
            int[] ordinals,
            long copyId) {}

    /**
     * A member's answer to {@link FetchParts}: it holds every state asked for, or not and why
     * ({@code reason}: {@code MISSING_PART} or {@code CORRUPT_PART} when a part is unusable for
     * good, empty otherwise).
     *
     * @param copies with a {@code copyId}: the handle of each state's part in the copy, in the
     *     order of the request's ordinals; empty otherwise
     */
    public record PartsFetched(
            long requestId, boolean ok, String reason, String detail, ArrayList<StateHandle> copies) {}

    /** Something happened to a task. */
    public record TaskEvent(
            String jobId,
            String pipeline,
            long epoch,
            int attempt,
            String taskId,
            Kind kind,
            long id,
            long records,
            String detail)
            implements ToMaster {
        public enum Kind {
            SOURCE_FINISHED,
            COMMITTED,
            FAILED
        }
    }

    /**
     * The answer to a request: {@code ok}, or not with the {@code reason} code decides on and a
     * message for people. A savepoint's answer carries each pipeline's savepoint id.
     */
    public record Reply(boolean ok, CairnException.Reason reason, String message, HashMap<String, Long> savepoints) {
        public static final Reply OK = ok("");

        public static Reply ok(String message) {
            return new Reply(true, null, message, new HashMap<>());
        }

        public static Reply saved(Map<String, Long> savepoints, String message) {
            return new Reply(true, null, message, new LinkedHashMap<>(savepoints)); // in pipeline order
        }

        public static Reply error(CairnException.Reason reason, String message) {
            return new Reply(false, reason, message, new HashMap<>());
        }

        /** The refusal as the exception the API throws; only for a reply that is not ok. */
        public CairnException toException() {
            return new CairnException(reason, message);
        }
    }
}
