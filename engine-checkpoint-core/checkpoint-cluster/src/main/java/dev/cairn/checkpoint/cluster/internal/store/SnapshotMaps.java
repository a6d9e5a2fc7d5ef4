package dev.cairn.checkpoint.cluster.internal.store;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.hazelcast.query.QueryConstants;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.CheckpointMemory;
import dev.cairn.checkpoint.store.PipelineRecord;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The IMaps Cairn keeps in the cluster, all with {@code seatunnel.engine.backup-count}
 * synchronous backups: a put returns once the backups hold it.
 *
 * <ul>
 *   <li>{@link #SNAPSHOTS}: {@code job/pipeline/id} to the encoded snapshot blob.
 *   <li>{@link #PIPELINES}: {@code job/pipeline} to its {@link PipelineRecord}.
 *   <li>{@link #JOBS}: {@code job} to its encoded job record.
 * </ul>
 */
public final class SnapshotMaps implements CheckpointMemory {
    public static final String SNAPSHOTS = "cairn.snapshots";
    public static final String PIPELINES = "cairn.pipelines";
    public static final String JOBS = "cairn.jobs";

    private final IMap<String, byte[]> snapshots;
    private final IMap<String, byte[]> pipelines;
    private final IMap<String, byte[]> jobs;

    public SnapshotMaps(HazelcastInstance hazelcast) {
        this.snapshots = hazelcast.getMap(SNAPSHOTS);
        this.pipelines = hazelcast.getMap(PIPELINES);
        this.jobs = hazelcast.getMap(JOBS);
    }

    /** Adds Cairn's map configurations, with the given backup count, to a Hazelcast config. */
    public static Config configure(Config config, int backupCount) {
        for (String name : new String[] {SNAPSHOTS, PIPELINES, JOBS}) {
            config.addMapConfig(new MapConfig(name).setBackupCount(backupCount).setAsyncBackupCount(0));
        }
        return config;
    }

    public IMap<String, byte[]> snapshots() {
        return snapshots;
    }

    public IMap<String, byte[]> jobs() {
        return jobs;
    }

    public static String key(PipelineKey pipeline) {
        return pipeline.jobId().value() + "/" + pipeline.pipeline();
    }

    public static String key(PipelineKey pipeline, long id) {
        return key(pipeline) + "/" + FileLayout.fileName(CheckpointId.of(id));
    }

    public static String key(JobId job) {
        return job.value();
    }

    @Override
    public void put(PipelineKey pipeline, long id, byte[] blob) {
        snapshots.set(key(pipeline, id), blob); // returns after the sync backups
    }

    @Override
    public Optional<byte[]> get(PipelineKey pipeline, long id) {
        return Optional.ofNullable(snapshots.get(key(pipeline, id)));
    }

    @Override
    public void delete(PipelineKey pipeline, long id) {
        snapshots.delete(key(pipeline, id));
    }

    @Override
    public PipelineRecord record(PipelineKey pipeline) {
        return PipelineRecord.decode(pipelines.get(key(pipeline)));
    }

    /** Applies {@code change} to the pipeline's record atomically (compare-and-set, retried). */
    @Override
    public PipelineRecord update(PipelineKey pipeline, UnaryOperator<PipelineRecord> change) {
        String key = key(pipeline);
        while (true) {
            byte[] old = pipelines.get(key);
            PipelineRecord next = change.apply(PipelineRecord.decode(old));
            byte[] encoded = next.encode();
            if (old == null) {
                if (pipelines.putIfAbsent(key, encoded) == null) {
                    return next;
                }
            } else if (Arrays.equals(old, encoded) || pipelines.replace(key, old, encoded)) {
                return next;
            }
        }
    }

    /**
     * The jobs that have a pipeline record or a snapshot in the maps, by id: what a finished job
     * may have left behind, when a healed partition's merge brought back entries the job's end had
     * removed.
     */
    public Set<String> jobsHeld() {
        Set<String> jobs = new TreeSet<>();
        for (String key : pipelines.keySet()) {
            jobs.add(key.substring(0, key.indexOf('/')));
        }
        for (String key : snapshots.keySet()) {
            jobs.add(key.substring(0, key.indexOf('/')));
        }
        return jobs;
    }

    /** Forgets every pipeline of a job: records and snapshots. */
    public void removeJob(JobId job) {
        String prefix = key(job) + "/";
        for (String key : pipelines.keySet(Predicates.like(QueryConstants.KEY_ATTRIBUTE_NAME.value(), prefix + "%"))) {
            if (key.startsWith(prefix)) {
                remove(PipelineKey.of(job.value(), key.substring(prefix.length())));
            }
        }
        for (String key : snapshots.keySet(Predicates.like(QueryConstants.KEY_ATTRIBUTE_NAME.value(), prefix + "%"))) {
            if (key.startsWith(prefix)) {
                snapshots.delete(key);
            }
        }
    }

    /** Forgets a pipeline: its record and every snapshot the map holds of it. */
    @Override
    public void remove(PipelineKey pipeline) {
        // Every snapshot under the pipeline's prefix, not only those its record lists: a master
        // that died between putting a snapshot and recording it leaves one the record never names.
        // The LIKE pattern runs on the members that own the keys; '_' in an id matches any
        // character there, so the exact prefix is checked here.
        String prefix = key(pipeline) + "/";
        for (String key : snapshots.keySet(Predicates.like(QueryConstants.KEY_ATTRIBUTE_NAME.value(), prefix + "%"))) {
            if (key.startsWith(prefix)) {
                snapshots.delete(key);
            }
        }
        pipelines.delete(key(pipeline));
    }
}
