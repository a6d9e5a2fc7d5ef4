package dev.cairn.checkpoint.runtime;

import dev.cairn.checkpoint.api.CheckpointAware;
import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.Sink;
import dev.cairn.checkpoint.api.Transform;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a {@link Transform} or a {@link Sink} over one or more input channels, with barrier
 * alignment: once a barrier arrives on an input, that input is not read again until the same
 * barrier has arrived on every input; then the operator is snapshotted and the barrier passed on.
 * Records behind a barrier thus never leak into the checkpoint before it.
 */
final class ProcessingTask extends Task {
    private final List<Channel> inputs;
    private final Transform<Object, Object> transform; // either this
    private final Sink<Object> sink; // or this
    private final Collector<Object> collector = this::emit;
    /** Records given to the sink since its last snapshot; task thread only. */
    private long written;

    /** Inputs that delivered the barrier being aligned; guarded by: the task thread. */
    private final boolean[] blocked;

    private Barrier aligning;
    private int blockedCount;
    private int next;

    ProcessingTask(
            String id,
            CheckpointAware operator,
            byte[] restored,
            Signal signal,
            List<Channel> inputs,
            Channel output,
            TaskEvents events) {
        super(id, operator, restored, signal, output, events);
        this.inputs = inputs;
        this.transform = operator instanceof Transform<?, ?> t ? cast(t) : null;
        this.sink = operator instanceof Sink<?> s ? cast(s) : null;
        this.blocked = new boolean[inputs.size()];
    }

    @Override
    void loop() throws Exception {
        while (!stopped) {
            drainInbox();
            boolean progressed = false;
            for (int n = 0; n < inputs.size() && !stopped; n++) {
                int i = (next + n) % inputs.size();
                if (blocked[i]) {
                    continue;
                }
                Object item = inputs.get(i).poll();
                if (item == null) {
                    continue;
                }
                progressed = true;
                next = (i + 1) % inputs.size();
                if (item instanceof Barrier barrier) {
                    onBarrier(i, barrier);
                } else if (sink != null) {
                    sink.write(item);
                    written++;
                } else {
                    transform.process(item, collector);
                }
                break;
            }
            if (!progressed) {
                signal.await(50);
            }
        }
    }

    private void onBarrier(int input, Barrier barrier) throws Exception {
        if (aligning != null && barrier.id() != aligning.id()) {
            // Barriers arrive in order on every input, so this can only follow a restart of an
            // upstream task: align on the newer barrier.
            Arrays.fill(blocked, false);
            blockedCount = 0;
            aligning = null;
        }
        if (aligning == null) {
            aligning = barrier;
        }
        blocked[input] = true;
        blockedCount++;
        if (blockedCount == inputs.size()) {
            Arrays.fill(blocked, false);
            blockedCount = 0;
            aligning = null;
            checkpoint(barrier);
        }
    }

    @Override
    long recordsSinceLastBarrier() {
        long records = written;
        written = 0;
        return records;
    }

    @Override
    void onComplete(long checkpointId) throws Exception {
        super.onComplete(checkpointId);
        if (sink != null) {
            events.committed(checkpointId, id);
        }
    }

    /** Operators take whatever their upstream emits: the types were checked where the job was built. */
    @SuppressWarnings("unchecked")
    private static <T> T cast(Object operator) {
        return (T) operator;
    }
}
