package dev.cairn.checkpoint.cluster.internal.web;

import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.cluster.internal.rpc.JobRecords;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link JobStatisticsMXBean} registered per job the cluster knows, on this member:
 * {@link #refresh()} (called every second) registers new jobs and unregisters forgotten ones.
 */
public final class JobMBeans implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobMBeans.class);

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final String member;
    private final Map<String, byte[]> jobs;
    private final Set<String> registered = new HashSet<>();

    public JobMBeans(String member, Map<String, byte[]> jobs) {
        this.member = member;
        this.jobs = jobs;
    }

    static ObjectName name(String jobId, String member) throws JMException {
        return new ObjectName(
                "dev.cairn",
                new java.util.Hashtable<>(
                        Map.of("type", "Job", "job", ObjectName.quote(jobId), "member", ObjectName.quote(member))));
    }

    public synchronized void refresh() {
        Set<String> known = new HashSet<>(jobs.keySet());
        for (String jobId : known) {
            if (registered.add(jobId)) {
                try {
                    server.registerMBean(new Bean(jobId), name(jobId, member));
                } catch (JMException e) {
                    LOG.debug("Cannot register the MBean of job {}", jobId, e);
                }
            }
        }
        for (String jobId : new HashSet<>(registered)) {
            if (!known.contains(jobId)) {
                unregister(jobId);
            }
        }
    }

    private void unregister(String jobId) {
        registered.remove(jobId);
        try {
            server.unregisterMBean(name(jobId, member));
        } catch (JMException e) {
            LOG.debug("Cannot unregister the MBean of job {}", jobId, e);
        }
    }

    @Override
    public synchronized void close() {
        new HashSet<>(registered).forEach(this::unregister);
    }

    /** Reads the job's record on every call: the record is what the master publishes. */
    private final class Bean implements JobStatisticsMXBean {
        private final String jobId;

        Bean(String jobId) {
            this.jobId = jobId;
        }

        private JobStatus job() {
            JobStatus job = JobRecords.decode(jobs.get(jobId));
            if (job == null) {
                throw new IllegalStateException("job " + jobId + " is no longer known");
            }
            return job;
        }

        @Override
        public String getType() {
            return job().type();
        }

        @Override
        public String getState() {
            return job().state().name();
        }

        @Override
        public String getMessage() {
            return Objects.requireNonNullElse(job().message(), "");
        }

        @Override
        public int getRestarts() {
            return job().restarts();
        }

        @Override
        public String getRestoredFrom() {
            return Objects.requireNonNullElse(job().restoredFrom(), "");
        }

        @Override
        public String getStorageError() {
            return Objects.requireNonNullElse(job().storageError(), "");
        }

        @Override
        public long getRecordsCommitted() {
            return job().recordsCommitted();
        }

        @Override
        public long getCheckpointsCompleted() {
            return job().checkpointsCompleted();
        }

        @Override
        public long getCheckpointsCommitted() {
            return job().checkpointsCommitted();
        }

        @Override
        public long getLastCommittedId() {
            return job().lastCommittedId();
        }

        @Override
        public String getCommitAfter() {
            return job().commitAfter();
        }

        @Override
        public String getFailureReason() {
            return job().failure() == null ? "" : job().failure().reason().name();
        }

        @Override
        public String getWarning() {
            String warning = job().warning();
            return warning == null ? "" : warning;
        }

        @Override
        public long getEpoch() {
            return job().epoch();
        }

        @Override
        public long getCheckpointsFailed() {
            return job().checkpointsFailed();
        }

        @Override
        public long getRestores() {
            return job().restores();
        }

        @Override
        public int getFlushBacklog() {
            return job().flushBacklog();
        }

        @Override
        public long getLastCheckpointId() {
            return job().lastCheckpointId();
        }

        @Override
        public long getLastCheckpointDurationMillis() {
            return job().lastCheckpointMillis();
        }

        @Override
        public long getLastCheckpointBytes() {
            return job().lastCheckpointBytes();
        }

        @Override
        public String getHistoryJson() {
            return JobJson.history(job().history());
        }
    }
}
