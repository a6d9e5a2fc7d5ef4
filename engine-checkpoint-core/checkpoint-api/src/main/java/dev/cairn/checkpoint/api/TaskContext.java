package dev.cairn.checkpoint.api;

/**
 * Where an operator runs: its job, pipeline, subtask and task, and the execution it belongs to (the
 * master's epoch and the pipeline's attempt). Available to an operator on its task's thread, during
 * any call the engine makes to it ({@link #current}), for instance to name its transactions.
 *
 * @param epoch the epoch of the master that deployed the task: it grows each time a pipeline's
 *     master changes, across full cluster restarts too
 * @param attempt the pipeline's execution attempt under that master's record
 */
public record TaskContext(String jobId, String pipeline, int subtask, String taskId, long epoch, int attempt) {
    private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

    /**
     * The context of the operator the calling thread runs.
     *
     * @throws IllegalStateException on a thread that runs no operator
     */
    public static TaskContext current() {
        TaskContext context = CURRENT.get();
        if (context == null) {
            throw new IllegalStateException("no task runs on this thread");
        }
        return context;
    }

    /**
     * Makes {@code context} what {@link #current} answers on the calling thread, until the returned
     * scope is closed. For whatever runs operators: Cairn's task runtime, or an engine that embeds
     * the kernel with a runtime of its own.
     */
    public static Scope bind(TaskContext context) {
        CURRENT.set(context);
        return CURRENT::remove;
    }

    /** The binding of a context to a thread; closing it unbinds. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** What a task group knows of its tasks' contexts, but for the task itself. */
    public record Execution(String jobId, String pipeline, long epoch, int attempt) {
        public TaskContext of(int subtask, String taskId) {
            return new TaskContext(jobId, pipeline, subtask, taskId, epoch, attempt);
        }

        /** For tests and tools that run a group outside any cluster. */
        public static Execution standalone(String name) {
            return new Execution(name, "1", 0, 1);
        }
    }
}
