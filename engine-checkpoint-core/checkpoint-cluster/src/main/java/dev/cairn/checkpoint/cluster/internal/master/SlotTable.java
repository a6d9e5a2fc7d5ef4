package dev.cairn.checkpoint.cluster.internal.master;

import com.hazelcast.cluster.Member;
import dev.cairn.checkpoint.api.config.SlotServiceConfig;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

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

    /** Places the pipeline's subtasks with no member preferred for any of them. */
    synchronized Map<Integer, Member> place(PipelineKey pipeline, int parallelism, int attempt, List<Member> members) {
        return place(pipeline, parallelism, attempt, members, Map.of());
    }

    /**
     * Places the pipeline's {@code parallelism} subtasks on {@code members} (in join order), in
     * place of where it was. A subtask goes to its {@code preferred} member (the one that holds the
     * state it restores, so that it reads it locally) while that member is there and has room: a
     * free slot, or with dynamic slots fewer of this pipeline's subtasks than an even share, so that
     * preferring never piles a pipeline onto one member. The others go round-robin, which {@code
     * attempt} rotates, to the members with room (with capped slots, the least used).
     *
     * @throws IllegalStateException if slots are capped and too few are free
     */
    synchronized Map<Integer, Member> place(
            PipelineKey pipeline, int parallelism, int attempt, List<Member> members, Map<Integer, Member> preferred) {
        held.remove(pipeline);
        int n = members.size();
        if (n == 0) {
            throw new IllegalStateException("no member to place " + pipeline + " on");
        }
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
        int share = (parallelism + n - 1) / n;
        Map<Member, Integer> mine = new HashMap<>();
        Predicate<Member> roomFor =
                m -> config.dynamicSlot() ? mine.getOrDefault(m, 0) < share : used.get(m) < config.slotNum();
        Map<Integer, Member> where = new HashMap<>();
        for (int i = 0; i < parallelism; i++) {
            Member wanted = preferred.get(i);
            if (wanted != null && used.containsKey(wanted) && roomFor.test(wanted)) {
                take(where, i, wanted, used, mine);
            }
        }
        for (int i = 0; i < parallelism; i++) {
            if (where.containsKey(i)) {
                continue;
            }
            Member best = null;
            for (int k = 0; k < n; k++) {
                Member candidate = roundRobin(members, i, attempt, k);
                if (!roomFor.test(candidate)) {
                    continue;
                }
                if (config.dynamicSlot()) {
                    best = candidate; // round-robin: the first with room
                    break;
                }
                if (best == null || used.get(candidate) < used.get(best)) {
                    best = candidate;
                }
            }
            take(where, i, best, used, mine);
        }
        held.put(pipeline, where);
        return where;
    }

    /**
     * The {@code k}-th member the round-robin offers subtask {@code subtask} of attempt {@code
     * attempt}: the order in which members are tried, and ties between preferred ones broken.
     */
    static Member roundRobin(List<Member> members, int subtask, int attempt, int k) {
        return members.get(Math.floorMod(subtask + attempt + k, members.size()));
    }

    private static void take(
            Map<Integer, Member> where,
            int subtask,
            Member member,
            Map<Member, Integer> used,
            Map<Member, Integer> mine) {
        where.put(subtask, member);
        used.merge(member, 1, Integer::sum);
        mine.merge(member, 1, Integer::sum);
    }

    /** The pipeline's subtasks no longer run (it finished, stopped, or is about to be placed again). */
    synchronized void release(PipelineKey pipeline) {
        held.remove(pipeline);
    }
}
