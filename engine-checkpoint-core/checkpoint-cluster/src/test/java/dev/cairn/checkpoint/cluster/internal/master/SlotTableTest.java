package dev.cairn.checkpoint.cluster.internal.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.impl.MemberImpl;
import com.hazelcast.version.MemberVersion;
import dev.cairn.checkpoint.api.config.SlotServiceConfig;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SlotTableTest {
    private static final PipelineKey A = PipelineKey.of("job-a", "1");
    private static final PipelineKey B = PipelineKey.of("job-b", "1");
    private static final PipelineKey C = PipelineKey.of("job-c", "1");

    private final List<Member> members = List.of(member(5801), member(5802), member(5803));

    @Test
    void dynamicSlots_spreadRoundRobin_rotatedByAttempt_withoutLimit() {
        SlotTable table = new SlotTable(new SlotServiceConfig(true, 1));

        Map<Integer, Member> first = table.place(A, 7, 0, members);
        Map<Integer, Member> again = table.place(A, 7, 1, members);

        assertEquals(members.get(0), first.get(0));
        assertEquals(members.get(1), first.get(1));
        assertEquals(members.get(0), first.get(6));
        assertEquals(members.get(1), again.get(0), "a restart moves subtasks on");
        assertEquals(7, table.place(B, 7, 0, members).size(), "no cap");
    }

    @Test
    void fixedSlots_countEveryPipelineOfEveryJob_andRefuseWhatDoesNotFit() {
        SlotTable table = new SlotTable(new SlotServiceConfig(false, 2)); // 6 slots in all

        Map<Integer, Member> a = table.place(A, 4, 0, members);
        assertEquals(List.of(2L, 1L, 1L), perMember(a.values()));

        IllegalStateException full = assertThrows(IllegalStateException.class, () -> table.place(B, 3, 0, members));
        assertEquals("job job-b pipeline 1 needs 3 slots; 2 of 3 members x slot-num 2 are free", full.getMessage());

        Map<Integer, Member> b = table.place(B, 2, 0, members);
        List<Member> all = new ArrayList<>(a.values());
        all.addAll(b.values());
        assertEquals(List.of(2L, 2L, 2L), perMember(all), "the least used members first");

        table.release(A);
        assertEquals(4, table.place(C, 4, 0, members).size(), "what a pipeline released is free again");
    }

    @Test
    void fixedSlots_placingAgain_replacesThePipelinesOwnPlacement() {
        SlotTable table = new SlotTable(new SlotServiceConfig(false, 1));

        table.place(A, 3, 0, members);
        Map<Integer, Member> restarted = table.place(A, 3, 1, members);

        assertEquals(List.of(1L, 1L, 1L), perMember(restarted.values()));
    }

    @Test
    void fixedSlots_onlyCountMembersStillThere() {
        SlotTable table = new SlotTable(new SlotServiceConfig(false, 1));
        table.place(A, 3, 0, members);

        List<Member> after = List.of(members.get(0), members.get(1), member(5804)); // 5803 left, 5804 joined
        assertThrows(IllegalStateException.class, () -> table.place(B, 2, 0, after));
        Map<Integer, Member> b = table.place(B, 1, 0, after);
        assertTrue(b.containsValue(after.get(2)), "the new member's slot: " + b);
    }

    @Test
    void dynamicSlots_aSubtaskGoesWhereItsStateIs_upToAnEvenShare() {
        SlotTable table = new SlotTable(new SlotServiceConfig(true, 1));
        Member first = members.get(0);
        Member third = members.get(2);

        Map<Integer, Member> placed = table.place(A, 4, 1, members, Map.of(0, third, 1, first, 2, first, 3, first));

        assertEquals(third, placed.get(0));
        assertEquals(first, placed.get(1));
        assertEquals(first, placed.get(2));
        assertEquals(List.of(2L, 1L, 1L), perMember(placed.values()), "no more than an even share on one member");
    }

    @Test
    void preferredMembers_thatLeftOrAreFull_areSkipped() {
        SlotTable table = new SlotTable(new SlotServiceConfig(false, 1));
        Member gone = member(5809);
        table.place(B, 1, 0, members, Map.of(0, members.get(1)));

        Map<Integer, Member> placed = table.place(A, 2, 0, members, Map.of(0, gone, 1, members.get(1)));

        assertEquals(List.of(1L, 0L, 1L), perMember(placed.values()), "B holds the only slot of the second: " + placed);
    }

    private List<Long> perMember(Collection<Member> placed) {
        return members.stream()
                .map(m -> placed.stream().filter(m::equals).count())
                .toList();
    }

    private static Member member(int port) {
        try {
            return new MemberImpl.Builder(new Address("127.0.0.1", port))
                    .version(MemberVersion.of("5.0.0"))
                    .uuid(UUID.randomUUID())
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
