package dev.cairn.checkpoint.cluster.internal.master;

import com.hazelcast.cluster.Member;
import dev.cairn.checkpoint.cluster.internal.node.Node;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.flush.LocalPartStorer;
import dev.cairn.checkpoint.flush.PartStorer;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The master's side of a flush: each part is stored by the member that wrote it (the handle's
 * {@code writer}), whose chunks sit on partitions it owns, all members at once; parts whose writer
 * is this member, or has left, are stored from here. Bytes of state never pass through the master
 * unless their writer is gone. A member that does not answer within twice the storage call timeout
 * fails the write, which the flusher retries.
 */
final class ClusterPartStorer implements PartStorer {
    private final Node node;
    private final LocalPartStorer local;

    ClusterPartStorer(Node node) throws Exception {
        this.node = node;
        this.local = new LocalPartStorer(node.maps(), node.storageCalls());
    }

    @Override
    public CompletableFuture<Void> store(PipelineKey where, CompletedCheckpoint manifest) {
        Map<String, Member> members = new LinkedHashMap<>();
        for (Member member : node.hazelcast().getCluster().getMembers()) {
            members.put(member.getUuid().toString(), member);
        }
        Map<Member, List<Integer>> byWriter = new LinkedHashMap<>();
        List<Integer> here = new ArrayList<>();
        List<TaskState> states = manifest.taskStates();
        for (int i = 0; i < states.size(); i++) {
            TaskState state = states.get(i);
            if (state.inline()) {
                continue;
            }
            Member writer = members.get(state.handle().writer());
            if (writer == null || writer.localMember()) {
                here.add(i);
            } else {
                byWriter.computeIfAbsent(writer, m -> new ArrayList<>()).add(i);
            }
        }
        List<CompletableFuture<Void>> shares = new ArrayList<>();
        if (!byWriter.isEmpty()) {
            byte[] encoded = SnapshotCodec.encode(manifest);
            String me = node.hazelcast().getCluster().getLocalMember().getUuid().toString();
            long timeout =
                    2 * node.config().checkpoint().storage().callTimeout().toMillis();
            byWriter.forEach((member, ordinals) -> shares.add(node.ask(
                            member,
                            requestId -> new Messages.StoreParts(
                                    me,
                                    where.jobId().value(),
                                    where.pipeline(),
                                    requestId,
                                    encoded,
                                    ordinals.stream()
                                            .mapToInt(Integer::intValue)
                                            .toArray()),
                            timeout)
                    .thenApply(answer -> (Void) null)));
        }
        if (!here.isEmpty()) {
            shares.add(local.store(where, manifest, here));
        }
        return CompletableFuture.allOf(shares.toArray(CompletableFuture[]::new));
    }
}
