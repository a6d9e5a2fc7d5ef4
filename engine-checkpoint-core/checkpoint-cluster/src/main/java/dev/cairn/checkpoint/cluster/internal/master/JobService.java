package dev.cairn.checkpoint.cluster.internal.master;

import com.hazelcast.cluster.Member;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.cluster.internal.node.Node;
import dev.cairn.checkpoint.cluster.internal.rpc.JobRecords;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.runtime.JobDefinitions;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job masters, on the cluster's master member. When this member becomes master (the one
 * before it left), it takes over every unfinished job recorded in the cluster and restarts it
 * from its latest completed checkpoint.
 */
public final class JobService {
    private static final Logger LOG = LoggerFactory.getLogger(JobService.class);

    /** How long closing, or losing the master role, waits for each job master to stop. */
    private static final long STOP_WAIT_MILLIS = 60_000;

    private final Node node;
    private final Map<String, JobMaster> masters = new ConcurrentHashMap<>();
    private final SlotTable slots;
    /** Set once the member closes; guarded by this. */
    private boolean closed;

    private volatile boolean master;

    public JobService(Node node) {
        this.node = node;
        this.slots = new SlotTable(node.config().slotService());
    }

    /**
     * Called on every membership change, on the node's membership thread. This member runs the job
     * masters while it is the cluster's oldest member and its side of the cluster has a quorum.
     */
    public void checkMastership() {
        boolean oldest = node.isMaster();
        boolean quorum = node.quorum().holds();
        boolean now = oldest && quorum;
        String why = "no quorum: this side of the cluster has " + node.quorum().describe()
                + "; jobs run only on a side with a quorum, and resume once the partition heals";
        if (now && !master) {
            master = true;
            LOG.info(
                    "This member is the master now; its side of the cluster has {}",
                    node.quorum().describe());
            takeOver();
        } else if (!now && master) {
            master = false;
            if (oldest) {
                LOG.warn(
                        "This side of the cluster lost its quorum ({}): its jobs stop",
                        node.quorum().describe());
                suspendAll(why);
            } else {
                stopAll(); // a partition merge made another member older: let it lead
            }
        }
        if (oldest && !quorum && !announcedNoQuorum) {
            LOG.warn(
                    "This member is the oldest of its side, which has {}: it runs no job",
                    node.quorum().describe());
            markSuspended(why);
        }
        announcedNoQuorum = oldest && !quorum;
    }

    /**
     * Says, in this side's copy of every unfinished job's record, that the job does not run here:
     * what {@code job list} and the statistics show on this side. The side that kept its quorum
     * owns the real records; when the partition heals, its copies win.
     */
    private void markSuspended(String why) {
        try {
            for (Map.Entry<String, byte[]> entry : node.maps().jobs().entrySet()) {
                JobStatus record = JobRecords.decode(entry.getValue());
                if (record != null && !record.state().done() && record.state() != JobState.SUSPENDED) {
                    node.maps().jobs().set(entry.getKey(), JobRecords.encode(record.suspended(why)));
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Cannot mark this side's job records suspended: {}", e.toString());
        }
    }

    /** Whether the oldest member without a quorum said so already (once per such spell). */
    private boolean announcedNoQuorum;

    /** The side lost its quorum: every job master says so in its record, then stops with its tasks. */
    private void suspendAll(String why) {
        List<JobMaster> stopping;
        synchronized (this) {
            stopping = List.copyOf(masters.values());
        }
        stopping.forEach(job -> job.suspend(why));
        stopAll();
    }

    /**
     * Takes over, now and then, unfinished jobs that no master runs: a job's record can reach the
     * master's map after it became master, when the two sides of a healed partition merge their
     * maps (each side's records come in as the smaller side rejoins). On the membership thread.
     */
    public void adoptOrphanedJobs() {
        if (master) {
            takeOver();
            collectGarbage();
        }
    }

    /**
     * Removes what finished jobs left in the maps: a healed partition's merge brings back the
     * entries that the side without a quorum still held, after the job's end removed them here.
     * Under this service's lock, the look and the removal both: a finished job submitted again
     * with a restore meanwhile ({@link #submit}) has a master by then, and keeps its entries.
     */
    private void collectGarbage() {
        try {
            for (String jobId : node.maps().jobsHeld()) {
                synchronized (this) {
                    JobStatus record = JobRecords.decode(node.maps().jobs().get(jobId));
                    if (record != null && record.state() == JobState.FINISHED && !masters.containsKey(jobId)) {
                        LOG.debug("Removing what finished job {} left in the maps", jobId);
                        node.maps().removeJob(JobId.of(jobId));
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Collecting finished jobs' leftovers failed: {}", e.toString());
        }
    }

    private synchronized void takeOver() {
        if (closed) {
            return;
        }
        for (Map.Entry<String, byte[]> entry : node.maps().jobs().entrySet()) {
            JobStatus record = JobRecords.decode(entry.getValue());
            if (record != null && !record.state().done() && !masters.containsKey(record.jobId())) {
                LOG.info("Taking over job {} ({})", record.jobId(), record.state());
                start(record.spec(), record, null);
            }
        }
    }

    public Object handle(Object message) {
        if (message instanceof Messages.SubmitJob submit) {
            return submit(submit.spec(), submit.restore());
        }
        if (message instanceof Messages.TakeSavepoint savepoint) {
            JobMaster job = masters.get(savepoint.jobId());
            if (job == null) {
                return Messages.Reply.error(
                        CairnException.Reason.JOB_NOT_RUNNING, "job " + savepoint.jobId() + " is not running");
            }
            return job.savepoint(savepoint.stop());
        }
        if (message instanceof Messages.CancelJob cancel) {
            JobMaster job = masters.get(cancel.jobId());
            if (job == null) {
                return Messages.Reply.error(
                        CairnException.Reason.JOB_NOT_RUNNING, "job " + cancel.jobId() + " is not running");
            }
            job.cancel();
            return job.awaitEnd("", "job " + cancel.jobId() + " cancelled");
        }
        if (message instanceof Messages.Ack ack) {
            JobMaster job = masters.get(ack.jobId());
            if (job != null) {
                job.acknowledged(ack);
            }
            return Messages.Reply.OK;
        }
        if (message instanceof Messages.TaskEvent event) {
            JobMaster job = masters.get(event.jobId());
            if (job != null) {
                job.taskEvent(event);
            }
            return Messages.Reply.OK;
        }
        return Messages.Reply.error(
                CairnException.Reason.INCOMPATIBLE_MEMBERS,
                "unknown request " + message.getClass().getSimpleName());
    }

    private synchronized Messages.Reply submit(JobSpec spec, RestoreRequest restore) {
        JobDefinition definition =
                JobDefinitions.find(spec.type(), node.classLoader()).orElse(null);
        if (definition == null) {
            return Messages.Reply.error(
                    CairnException.Reason.UNKNOWN_JOB_TYPE,
                    "no job type '" + spec.type() + "'; available: "
                            + String.join(
                                    ", ", JobDefinitions.all(node.classLoader()).keySet()));
        }
        List<String> problems = new ArrayList<>(definition.validate(spec));
        if (problems.isEmpty()) {
            definition.pipelines(spec).forEach(p -> FileLayout.reservedPipelineName(p.name())
                    .ifPresent(problems::add));
        }
        if (!problems.isEmpty()) {
            return Messages.Reply.error(CairnException.Reason.INVALID_JOB, String.join("; ", problems));
        }
        if (closed) {
            return Messages.Reply.error(
                    CairnException.Reason.MEMBER_CLOSING,
                    "this member is shutting down; submit the job to another one");
        }
        if (!node.quorum().holds()) {
            return Messages.Reply.error(
                    CairnException.Reason.NO_QUORUM,
                    "no quorum: this side of the cluster has " + node.quorum().describe()
                            + "; jobs run only on a side with a quorum");
        }
        if (masters.containsKey(spec.jobId().value())) {
            if (restore != null) {
                return Messages.Reply.error(
                        CairnException.Reason.JOB_RUNNING,
                        "job " + spec.jobId() + " is running; cancel it before restoring it from " + restore);
            }
            return Messages.Reply.ok("job " + spec.jobId() + " is running");
        }
        JobStatus existing =
                JobRecords.decode(node.maps().jobs().get(spec.jobId().value()));
        if (existing != null && existing.state() == JobState.FINISHED && restore == null) {
            return Messages.Reply.ok("job " + spec.jobId() + " has finished");
        }
        start(spec, null, restore);
        return Messages.Reply.OK;
    }

    /**
     * Starts a job master; {@code previous} is the record of the master this one takes over from,
     * {@code restore} what the user asked to restore from (or null: the latest).
     */
    private void start(JobSpec spec, JobStatus previous, RestoreRequest restore) {
        JobDefinition definition =
                JobDefinitions.find(spec.type(), node.classLoader()).orElseThrow();
        JobMaster job = new JobMaster(node, slots, spec, definition, previous, restore, this::ended, this::deposed);
        masters.put(spec.jobId().value(), job);
        if (previous == null) {
            // Replaces the record of an earlier run (cancelled, failed) before the submitter, told
            // the job is accepted, reads it: it must not see that run's end as this one's.
            job.publish();
        }
        job.start(previous != null);
    }

    /** The job's tasks have stopped: its final record and its removal, atomic with submissions. */
    private synchronized void ended(JobMaster job) {
        job.publish();
        LOG.info(job.statusLine());
        masters.remove(job.jobId(), job);
    }

    /** A newer master took one of the job's pipelines: this one forgets the job, without a final record. */
    private synchronized void deposed(JobMaster job) {
        masters.remove(job.jobId(), job);
    }

    public void memberRemoved(Member member) {
        masters.values().forEach(m -> m.memberRemoved(member));
    }

    /** This member stops being the master: its job masters stop, and the new master takes over. */
    void stopAll() {
        List<JobMaster> stopping;
        synchronized (this) {
            stopping = List.copyOf(masters.values());
            masters.clear();
        }
        stopping.forEach(JobMaster::stop);
        for (JobMaster job : stopping) {
            try {
                if (!job.awaitStopped(STOP_WAIT_MILLIS)) {
                    LOG.warn("Job {} did not stop within {} ms", job.jobId(), STOP_WAIT_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The member closes: no job starts here any more, and those running stop before it goes. */
    public void close() {
        synchronized (this) {
            closed = true;
        }
        stopAll();
    }

    /** Drops every job master without a word to anyone: this member is crashing. */
    public void abandonAll() {
        masters.values().forEach(JobMaster::abandon);
        masters.clear();
    }

    public List<dev.cairn.checkpoint.api.CheckpointStats> history(String jobId) {
        JobMaster job = masters.get(jobId);
        return job == null ? List.of() : job.history();
    }

    int activeJobs() {
        return masters.size();
    }

    public boolean runs(String jobId) {
        return masters.containsKey(jobId);
    }
}
