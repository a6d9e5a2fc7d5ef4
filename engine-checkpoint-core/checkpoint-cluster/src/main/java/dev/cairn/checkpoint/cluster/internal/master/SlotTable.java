package dev.cairn.checkpoint.cluster.internal.master;

import com.hazelcast.cluster.Member;
import dev.cairn.checkpoint.api.config.SlotServiceConfig;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the subtasks of every running pipeline are, on the master member, and where a pipeline
 * starting (or restarting) goes. With {@code slot-service.dynamic-slot: true} a member runs every
 * subtask it is given and subtasks are spread round-robin. With {@code dynamic-slot: false} each
 * member has {@code slot-num} slots, one per subtask, counted across every pipeline of every job:
 * a pipeline that does not fit in the free slots is not placed (the caller retries when members
 * join or other pipelines end), and each subtask goes to the member with the most free slots.
 *
 * <p>The table is the master's own: a new master starts empty and every pipeline is placed again,
 * since a failover restarts them all.
 */
public final class SlotTable {
    private final SlotServiceConfig config;
    private final Map<PipelineKey, Map<Integer, Member>> held = new HashMap<>();

    public SlotTable(SlotServiceConfig config) {
        this.config = config;
    }

    /**
     * Places the pipeline's {@code parallelism} subtasks on {@code members} (in join order), in
     * place of where it was; {@code attempt} rotates the round-robin so a restart moves subtasks.
     *
     * @throws IllegalStateException if slots are capped and too few are free
     */
    synchronized Map<Integer, Member> place(PipelineKey pipeline, int parallelism, int attempt, List<Member> members) {
        held.remove(pipeline);
        int n = members.size();
        Map<Member, Integer> used = new HashMap<>();
        members.forEach(m -> used.put(m, 0));
        held.values().forEach(p -> p.values().forEach(m -> used.computeIfPresent(m, (k, count) -> count + 1)));
        if (!config.dynamicSlot()) {
            int free = n * config.slotNum()
                    - used.values().stream().mapToInt(Integer::intValue).sum();
            if (parallelism > free) {
                throw new IllegalStateException(pipeline + " needs " + parallelism + " slots; " + free + " of " + n
                        + (n == 1 ? " member" : " members") + " x slot-num " + config.slotNum() + " are free");
            }
        }
        Map<Integer, Member> where = new HashMap<>();
        for (int i = 0; i < parallelism; i++) {
            Member best = null;
            for (int k = 0; k < n; k++) {
                Member candidate = members.get(Math.floorMod(i + attempt + k, n));
                if (config.dynamicSlot()) {
                    best = candidate; // round-robin: the first candidate
                    break;
                }
                if (best == null || used.get(candidate) < used.get(best)) {
                    best = candidate;
                }
            }
            where.put(i, best);
            used.merge(best, 1, Integer::sum);
        }
        held.put(pipeline, where);
        return where;
    }

    /** The pipeline's subtasks no longer run (it finished, stopped, or is about to be placed again). */
    synchronized void release(PipelineKey pipeline) {
        held.remove(pipeline);
    }
}
