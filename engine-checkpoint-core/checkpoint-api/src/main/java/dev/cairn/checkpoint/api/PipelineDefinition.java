package dev.cairn.checkpoint.api;

import java.util.ArrayList;
import java.util.List;

/**
 * One pipeline of a job: {@link #parallelism()} subtasks, each a group of tasks on one member
 * exchanging records through in-memory channels: every source of the subtask feeds the first
 * transform (which aligns barriers across them), each transform the next, the last the sink.
 */
public interface PipelineDefinition {

    String name();

    int parallelism();

    /** How many sources and transforms a subtask has (it always has one sink). */
    Shape shape();

    /** The operators of subtask {@code subtask} for execution attempt {@code attempt}. */
    SubtaskOperators create(int subtask, int attempt) throws Exception;

    /** The shape of a subtask. */
    record Shape(int sources, int transforms) {
        public Shape {
            if (sources < 1 || transforms < 0) {
                throw new IllegalArgumentException("a subtask needs a source, and transforms cannot be negative");
            }
            if (sources > 1 && transforms == 0) {
                throw new IllegalArgumentException("several sources need a transform to merge them");
            }
        }
    }

    /**
     * The operators of one subtask, in the order of {@link Shape}: each source feeds the first
     * transform, each transform the next, the last the sink. The lists are untyped because a
     * subtask's shape varies; {@link #of} builds the common shapes with their types checked.
     */
    record SubtaskOperators(List<Source<?>> sources, List<Transform<?, ?>> transforms, Sink<?> sink) {
        public SubtaskOperators {
            sources = List.copyOf(sources);
            transforms = List.copyOf(transforms);
            java.util.Objects.requireNonNull(sink, "sink");
        }

        /** One source straight into the sink: shape (1, 0). */
        public static <T> SubtaskOperators of(Source<T> source, Sink<? super T> sink) {
            return new SubtaskOperators(List.of(source), List.of(), sink);
        }

        /** One source, one transform, the sink: shape (1, 1). */
        public static <A, B> SubtaskOperators of(
                Source<A> source, Transform<? super A, B> transform, Sink<? super B> sink) {
            return new SubtaskOperators(List.of(source), List.of(transform), sink);
        }

        /** One source, two transforms, the sink: shape (1, 2). */
        public static <A, B, C> SubtaskOperators of(
                Source<A> source, Transform<? super A, B> first, Transform<? super B, C> second, Sink<? super C> sink) {
            return new SubtaskOperators(List.of(source), List.of(first, second), sink);
        }
    }

    /** The ids of the tasks of one subtask: {@code source-3}, {@code source-3.1}, {@code transform-3}, {@code sink-3}. */
    static List<String> taskIds(Shape shape, int subtask) {
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < shape.sources(); k++) {
            ids.add(sourceId(subtask, k));
        }
        for (int k = 0; k < shape.transforms(); k++) {
            ids.add(taskId("transform", subtask, k));
        }
        ids.add(taskId("sink", subtask, 0));
        return ids;
    }

    static String sourceId(int subtask, int k) {
        return taskId("source", subtask, k);
    }

    private static String taskId(String role, int subtask, int k) {
        return role + "-" + subtask + (k == 0 ? "" : "." + k);
    }

    /** The ids of every task of the pipeline. */
    default List<String> taskIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < parallelism(); i++) {
            ids.addAll(taskIds(shape(), i));
        }
        return ids;
    }
}
