package dev.cairn.checkpoint.runtime;

import dev.cairn.checkpoint.api.CheckpointAware;
import dev.cairn.checkpoint.api.TaskContext;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One operator on a thread of its own. Control messages (trigger, complete, abort) arrive on an
 * inbox and are handled on that thread between records, so an operator is only ever called from
 * one thread.
 */
abstract class Task implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Task.class);

    /** Control messages, handled on the task's thread. */
    sealed interface Control permits Trigger, Complete, Abort {}

    record Trigger(long checkpointId, boolean finalCheckpoint) implements Control {}

    record Complete(long checkpointId) implements Control {}

    record Abort(long checkpointId) implements Control {}

    final String id;
    final CheckpointAware operator;
    final TaskEvents events;
    /** Wakes this task: its input channels and its inbox share it. */
    final Signal signal;
    /** The one downstream channel, or null for a sink. */
    final Channel output;

    private final Queue<Control> inbox = new ConcurrentLinkedQueue<>();
    /** What {@link TaskContext#current} answers on this task's thread; set before the thread starts. */
    TaskContext context;

    private final byte[] restoredState;
    volatile boolean stopped;

    Task(String id, CheckpointAware operator, byte[] restoredState, Signal signal, Channel output, TaskEvents events) {
        this.id = id;
        this.operator = operator;
        this.restoredState = restoredState;
        this.output = output;
        this.signal = signal;
        this.events = events;
    }

    void send(Control message) {
        inbox.add(message);
        signal.wake();
    }

    void stop() {
        stopped = true;
        signal.wake();
    }

    @Override
    public final void run() {
        TaskContext.Scope scope = context == null ? () -> {} : TaskContext.bind(context);
        try {
            operator.restore(restoredState);
            loop();
        } catch (InterruptedException e) {
            if (!stopped) {
                events.failed(id, e);
            }
        } catch (Throwable e) {
            if (!stopped) {
                LOG.warn("Task {} failed", id, e);
                events.failed(id, e);
            }
        } finally {
            try {
                operator.close();
            } catch (Exception e) {
                LOG.debug("Closing task {} failed", id, e);
            }
            scope.close();
        }
    }

    abstract void loop() throws Exception;

    /** Handles every queued control message; a trigger is handed to {@link #onTrigger}. */
    final void drainInbox() throws Exception {
        for (Control message; (message = inbox.poll()) != null; ) {
            if (message instanceof Trigger t) {
                onTrigger(t);
            } else if (message instanceof Complete c) {
                onComplete(c.checkpointId());
            } else if (message instanceof Abort a) {
                operator.notifyCheckpointAborted(a.checkpointId());
            }
        }
    }

    void onTrigger(Trigger trigger) throws Exception {
        throw new IllegalStateException("task " + id + " is not a source");
    }

    void onComplete(long checkpointId) throws Exception {
        operator.notifyCheckpointComplete(checkpointId);
    }

    /** Snapshots the operator, acknowledges, and passes the barrier downstream. */
    final void checkpoint(Barrier barrier) throws Exception {
        byte[] state = operator.snapshot(barrier.id());
        events.acknowledged(barrier.id(), id, state, recordsSinceLastBarrier());
        emit(barrier);
    }

    /** For a sink, the records it was given since its previous snapshot (and the count restarts); 0 otherwise. */
    long recordsSinceLastBarrier() {
        return 0;
    }

    /** Passes a record or a barrier downstream; a record is anything a collector took. */
    final void emit(Object item) throws InterruptedException {
        if (output != null) {
            output.put(item, () -> stopped);
        }
    }
}
