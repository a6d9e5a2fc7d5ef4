package dev.cairn.checkpoint.cluster.internal.store;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.PartitioningStrategyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.internal.serialization.impl.SerializationConstants;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.PartitionService;
import com.hazelcast.partition.strategy.StringPartitioningStrategy;
import com.hazelcast.query.Predicates;
import com.hazelcast.query.QueryConstants;
import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.StateHandle;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.CheckpointMemory;
import dev.cairn.checkpoint.store.ChunkKey;
import dev.cairn.checkpoint.store.HeldParts;
import dev.cairn.checkpoint.store.PipelineRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IMaps Cairn keeps in the cluster, all with {@code seatunnel.engine.backup-count}
 * synchronous backups: a put returns once the backups hold it.
 *
 * <ul>
 *   <li>{@link #SNAPSHOTS}: {@code job/pipeline/id} to the encoded snapshot blob, and {@code
 *       job/pipeline/id/task/n@k} to chunk {@code n} of a task's part ({@link ChunkKey}). The map
 *       partitions a key by what follows its {@code @} (Hazelcast's {@link
 *       StringPartitioningStrategy}; names never hold an {@code @}), and {@code k} is chosen so that
 *       a chunk lands on a partition its writer owns: the put is local, and only the backups cross
 *       the wire.
 *   <li>{@link #PIPELINES}: {@code job/pipeline} to its {@link PipelineRecord}.
 *   <li>{@link #JOBS}: {@code job} to its encoded job record.
 * </ul>
 */
public final class SnapshotMaps implements CheckpointMemory {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotMaps.class);

    /** A serialized {@code byte[]} value: partition hash, type id and length, 4 bytes each. */
    private static final int SERIALIZED_BYTES_HEADER = 12;

    public static final String SNAPSHOTS = "cairn.snapshots";
    public static final String PIPELINES = "cairn.pipelines";
    public static final String JOBS = "cairn.jobs";

    private final IMap<String, byte[]> snapshots;
    private final IMap<String, byte[]> pipelines;
    private final IMap<String, byte[]> jobs;
    private final HazelcastInstance hazelcast;
    /** Chunk puts of this member in flight at once: the rest wait (Jet caps its snapshot writes so too). */
    private final Semaphore chunkPuts = new Semaphore(16);
    /** For each partition id, a partition key (its decimal digits) that hashes to it; made on first use. */
    private volatile int[] partitionKeys;

    private final AtomicInteger nextPlacement = new AtomicInteger();

    /** What this member put, for it to store: an eighth of the heap at most. */
    private final HeldParts held = new HeldParts(Runtime.getRuntime().maxMemory() / 8);

    public SnapshotMaps(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
        this.snapshots = hazelcast.getMap(SNAPSHOTS);
        this.pipelines = hazelcast.getMap(PIPELINES);
        this.jobs = hazelcast.getMap(JOBS);
    }

    /** Adds Cairn's map configurations, with the given backup count, to a Hazelcast config. */
    public static Config configure(Config config, int backupCount) {
        for (String name : new String[] {SNAPSHOTS, PIPELINES, JOBS}) {
            MapConfig map = new MapConfig(name).setBackupCount(backupCount).setAsyncBackupCount(0);
            if (name.equals(SNAPSHOTS)) {
                map.setPartitioningStrategyConfig(
                        new PartitioningStrategyConfig(StringPartitioningStrategy.class.getName()));
            }
            config.addMapConfig(map);
        }
        return config;
    }

    public IMap<String, byte[]> snapshots() {
        return snapshots;
    }

    public IMap<String, byte[]> jobs() {
        return jobs;
    }

    @Override
    public HeldParts heldParts() {
        return held;
    }

    /**
     * From now on, lets go of the parts this member holds of any pipeline whose record leaves the
     * map, whichever member removes it: a finished job's parts go at once on every member, not
     * when they expire. Once per member; the listener goes with the member. (The event comes a
     * moment later: if the job is already running again under the same id, parts its new run held
     * meanwhile are let go too, and read from the map when stored; time lost, nothing else.)
     */
    public void forgetHeldPartsOfRemovedPipelines() {
        pipelines.addEntryListener(
                (EntryRemovedListener<String, byte[]>) removed -> {
                    String key = removed.getKey();
                    int slash = key.indexOf('/');
                    try {
                        held.forget(PipelineKey.of(key.substring(0, slash), key.substring(slash + 1)));
                    } catch (RuntimeException e) { // not a key of ours: nothing of it is held
                        LOG.debug("Removed pipeline record {} names no pipeline: {}", key, e.toString());
                    }
                },
                false);
    }

    public static String key(PipelineKey pipeline) {
        return pipeline.jobId().value() + "/" + pipeline.pipeline();
    }

    public static String key(PipelineKey pipeline, long id) {
        return key(pipeline) + "/" + FileLayout.fileName(CheckpointId.of(id));
    }

    /** {@code job/pipeline/id/task/n@k}: the partition key {@code k} places it. */
    public static String key(ChunkKey chunk) {
        return key(chunk.pipeline(), chunk.id()) + "/" + chunk.taskId() + "/" + chunk.n() + "@" + chunk.placement();
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

    /**
     * Partition keys of partitions this member owns, round robin so that one task's chunks spread
     * over partition threads; any partitions if it owns none (a member that just joined): that costs
     * locality, never correctness, and a migration moves chunks with their partition.
     */
    @Override
    public int[] placeChunks(int count) {
        int[] keys = partitionKeys();
        List<Integer> local = new ArrayList<>();
        for (Partition partition : hazelcast.getPartitionService().getPartitions()) {
            Member owner = partition.getOwner();
            if (owner != null && owner.localMember()) {
                local.add(partition.getPartitionId());
            }
        }
        int[] placements = new int[count];
        int start = nextPlacement.getAndAdd(count);
        for (int i = 0; i < count; i++) {
            int slot = Math.floorMod(start + i, local.isEmpty() ? keys.length : local.size());
            placements[i] = keys[local.isEmpty() ? slot : local.get(slot)];
        }
        return placements;
    }

    /**
     * The members that own the partitions of a part's chunks now, with the bytes of it each holds:
     * where the part can be read without crossing the wire. A chunk whose partition has no owner
     * (a migration under way) counts for no one.
     */
    public Map<Member, Long> holders(StateHandle part) {
        PartitionService partitions = hazelcast.getPartitionService();
        Map<Member, Long> bytes = new HashMap<>();
        for (int n = 0; n < part.chunkCount(); n++) {
            Member owner = partitions
                    .getPartition(Integer.toString(part.placements()[n]))
                    .getOwner();
            if (owner != null) {
                bytes.merge(owner, (long) part.chunkLength(n), Long::sum);
            }
        }
        return bytes;
    }

    private int[] partitionKeys() {
        int[] keys = partitionKeys;
        if (keys == null) {
            PartitionService partitions = hazelcast.getPartitionService();
            int count = partitions.getPartitions().size();
            keys = new int[count];
            Arrays.fill(keys, -1);
            int found = 0;
            for (int k = 0; found < count; k++) {
                int partition = partitions.getPartition(Integer.toString(k)).getPartitionId();
                if (keys[partition] < 0) {
                    keys[partition] = k;
                    found++;
                }
            }
            partitionKeys = keys;
        }
        return keys;
    }

    @Override
    public CompletionStage<Void> putChunk(ChunkKey key, byte[] chunk) {
        chunkPuts.acquireUninterruptibly();
        try {
            // Not setAsync: in Hazelcast 5.5 the single-key async calls (setAsync, putAsync, getAsync)
            // place a key without the map's partitioning strategy, so a get would look for the chunk
            // in another partition. setAllAsync places it as set and get do (SnapshotChunksTest).
            return snapshots.setAllAsync(Map.of(key(key), chunk)).whenComplete((v, e) -> chunkPuts.release());
        } catch (RuntimeException e) {
            chunkPuts.release();
            throw e;
        }
    }

    /**
     * Written once: the chunk's bytes are copied straight into the serialized form Hazelcast sends
     * and keeps (a {@code byte[]} value: partition hash, type {@code -12}, length, bytes, big-endian),
     * so no slice is copied first and no output buffer grows and is copied again on the way; a
     * {@code get} reads it back as a {@code byte[]} (SnapshotChunksTest).
     */
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletionStage<Void> putChunk(ChunkKey key, PartCodec.Framed part, long offset, int length) {
        byte[] data = new byte[SERIALIZED_BYTES_HEADER + length];
        ByteBuffer header = ByteBuffer.wrap(data); // big-endian, as Hazelcast's default byte order
        header.putInt(0); // partition hash: unused for a value
        header.putInt(SerializationConstants.CONSTANT_TYPE_BYTE_ARRAY);
        header.putInt(length);
        part.copyTo(offset, data, SERIALIZED_BYTES_HEADER, length);
        chunkPuts.acquireUninterruptibly();
        try {
            return ((IMap) snapshots)
                    .setAllAsync(Map.of(key(key), new HeapData(data)))
                    .whenComplete((v, e) -> chunkPuts.release());
        } catch (RuntimeException e) {
            chunkPuts.release();
            throw e;
        }
    }

    @Override
    public Optional<byte[]> getChunk(ChunkKey key) {
        return Optional.ofNullable(snapshots.get(key(key)));
    }

    @Override
    public void deleteChunks(PipelineKey pipeline, long id) {
        String prefix = key(pipeline, id) + "/";
        for (String key : snapshots.keySet(like(prefix))) {
            if (key.startsWith(prefix)) {
                snapshots.delete(key);
            }
        }
    }

    @Override
    public void deleteChunks(java.util.Collection<ChunkKey> keys) {
        keys.forEach(k -> snapshots.delete(key(k))); // sync: the async single-key calls misplace keys
    }

    @Override
    public Set<Long> chunkedIds(PipelineKey pipeline) {
        String prefix = key(pipeline) + "/";
        Set<Long> ids = new TreeSet<>();
        for (String key : snapshots.keySet(like(prefix + "%@"))) {
            int slash = key.indexOf('/', prefix.length());
            if (key.startsWith(prefix) && slash > 0) {
                FileLayout.parseFileName(key.substring(prefix.length(), slash)).ifPresent(id -> ids.add(id.value()));
            }
        }
        return ids;
    }

    /** Keys that start with {@code prefix}; '_' in it matches any character, so callers check the prefix. */
    private static com.hazelcast.query.Predicate<String, byte[]> like(String prefix) {
        return Predicates.like(QueryConstants.KEY_ATTRIBUTE_NAME.value(), prefix + "%");
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
        held.forget(pipeline);
    }
}
