package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.StateHandle;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * The parts this process put into the cluster's memory lately, kept until it stores them: a member
 * then writes a part from the bytes its task gave (whose checksum it computed), instead of reading
 * its chunks back out of the map and verifying them, which took a third of a part's store time.
 *
 * <p>Bounded: the parts of at most the two newest checkpoints of each pipeline, and {@code budget}
 * bytes in all, the oldest pushed out first; and a part is let go once it has been held for long
 * ({@link #expire}: its store is overdue, or its checkpoint will never be stored). A part not held
 * is read from the map as before, so letting one go costs time, never correctness. Thread-safe.
 */
public final class HeldParts {
    /** Holds nothing: every part is read from the map. */
    public static final HeldParts NONE = new HeldParts(0);

    /** Checkpoints of a pipeline whose parts are held at once. */
    private static final int CHECKPOINTS = 2;

    private record Key(PipelineKey pipeline, long id, String taskId) {}

    private final long budget;

    private record Held(PartCodec.Framed part, long since) {}

    private final LinkedHashMap<Key, Held> parts = new LinkedHashMap<>();
    private long bytes;

    public HeldParts(long budget) {
        this.budget = budget;
    }

    /** Holds {@code part} of {@code taskId} in checkpoint {@code id}, whose chunks this process put. */
    public synchronized void hold(PipelineKey pipeline, long id, String taskId, PartCodec.Framed part) {
        if (part.size() > budget) {
            return;
        }
        TreeSet<Long> ids = new TreeSet<>();
        parts.keySet().stream().filter(k -> k.pipeline.equals(pipeline)).forEach(k -> ids.add(k.id));
        ids.add(id);
        while (ids.size() > CHECKPOINTS) {
            long oldest = ids.pollFirst();
            drop((key, held) -> key.pipeline.equals(pipeline) && key.id == oldest);
        }
        if (!ids.contains(id)) {
            return; // older than the checkpoints held: it would be the next to go
        }
        Held before = parts.put(new Key(pipeline, id, taskId), new Held(part, System.nanoTime()));
        bytes += part.size() - (before == null ? 0 : before.part.size());
        Iterator<Held> oldest = parts.values().iterator();
        while (bytes > budget && oldest.hasNext()) {
            bytes -= oldest.next().part.size();
            oldest.remove();
        }
    }

    /**
     * Takes out the part of {@code taskId} in checkpoint {@code id}, if it is held and is the one
     * {@code handle} names (its size and checksum as framed): whoever takes it stores it, and checks
     * the checksum again as the bytes stream out, since the array is the task's.
     */
    public synchronized Optional<PartCodec.Framed> take(
            PipelineKey pipeline, long id, String taskId, StateHandle handle) {
        Key key = new Key(pipeline, id, taskId);
        Held held = parts.get(key);
        if (held == null || held.part.size() != handle.size() || held.part.crc32c() != handle.crc32c()) {
            return Optional.empty();
        }
        parts.remove(key);
        bytes -= held.part.size();
        return Optional.of(held.part);
    }

    /** Lets go of every part of the pipeline (its checkpoints are gone from the map). */
    public synchronized void forget(PipelineKey pipeline) {
        drop((key, held) -> key.pipeline.equals(pipeline));
    }

    /** Lets go of every part held for longer than {@code age}. */
    public synchronized void expire(Duration age) {
        long now = System.nanoTime();
        drop((key, held) -> now - held.since >= age.toNanos());
    }

    /** The bytes held now. */
    public synchronized long bytes() {
        return bytes;
    }

    private void drop(BiPredicate<Key, Held> which) {
        Iterator<Map.Entry<Key, Held>> all = parts.entrySet().iterator();
        while (all.hasNext()) {
            Map.Entry<Key, Held> entry = all.next();
            if (which.test(entry.getKey(), entry.getValue())) {
                bytes -= entry.getValue().part.size();
                all.remove();
            }
        }
    }
}
