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

    /** The operators of one subtask, in the order of {@link Shape}. */
    record SubtaskOperators(
            List<Source> sources, List<Transform> transforms, Sink sink, double recordsPerSecondPerSource) {}

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
