package dev.cairn.checkpoint.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.PipelineDefinition.Shape;
import dev.cairn.checkpoint.api.PipelineDefinition.SubtaskOperators;
import dev.cairn.checkpoint.api.Sink;
import dev.cairn.checkpoint.api.Source;
import dev.cairn.checkpoint.api.Transform;
import dev.cairn.checkpoint.api.config.QueueType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskGroupTest {

    /**
     * Emits start, start + step, ... below limit, at most {@code perSecond} a second if that is
     * above 0 (it paces itself, as a source does); its state is the next value.
     */
    static final class Numbers implements Source<Long> {
        final long step;
        final long limit;
        final double perSecond;
        long next;
        long emitted;
        long startedNanos;

        Numbers(long start, long step, long limit) {
            this(start, step, limit, 0);
        }

        Numbers(long start, long step, long limit, double perSecond) {
            this.next = start;
            this.step = step;
            this.limit = limit;
            this.perSecond = perSecond;
        }

        @Override
        public void restore(byte[] state) {
            if (state != null) {
                next = ByteBuffer.wrap(state).getLong();
            }
        }

        @Override
        public boolean emit(Collector<? super Long> out, int max) throws InterruptedException {
            if (startedNanos == 0) {
                startedNanos = System.nanoTime();
            }
            long allowed = perSecond <= 0
                    ? max
                    : Math.min(max, (long) ((System.nanoTime() - startedNanos) / 1e9 * perSecond) - emitted);
            for (int i = 0; i < allowed && next < limit; i++, next += step) {
                out.collect(next);
                emitted++;
            }
            return next < limit;
        }

        @Override
        public byte[] snapshot(long checkpointId) {
            return ByteBuffer.allocate(8).putLong(next).array();
        }
    }

    /** Passes records on; its state is every value it has seen. */
    static class Remembering implements Transform<Long, Long> {
        final TreeSet<Long> seen = new TreeSet<>();

        @Override
        public void restore(byte[] state) {}

        @Override
        public void process(Long record, Collector<? super Long> out) throws InterruptedException {
            seen.add(record);
            out.collect(record);
        }

        @Override
        public byte[] snapshot(long checkpointId) {
            ByteBuffer b = ByteBuffer.allocate(8 * seen.size());
            seen.forEach(b::putLong);
            return b.array();
        }
    }

    /** Keeps records in memory; "commits" on completion. */
    static final class MemorySink implements Sink<Long> {
        final List<Long> written = new CopyOnWriteArrayList<>();
        final List<Long> completed = new CopyOnWriteArrayList<>();

        @Override
        public void restore(byte[] state) {}

        @Override
        public void write(Long record) {
            written.add(record);
        }

        @Override
        public byte[] snapshot(long checkpointId) {
            return ByteBuffer.allocate(8).putLong(written.size()).array();
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            completed.add(checkpointId);
        }
    }

    static final class Events implements TaskEvents {
        final Map<Long, Map<String, byte[]>> acks = new ConcurrentHashMap<>();
        final Set<String> finished = ConcurrentHashMap.newKeySet();
        final List<String> commits = new CopyOnWriteArrayList<>();
        final Map<String, Long> ackedRecords = new ConcurrentHashMap<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();

        @Override
        public void acknowledged(long checkpointId, String taskId, byte[] state, long records) {
            ackedRecords.put(checkpointId + "/" + taskId, records);
            acks.computeIfAbsent(checkpointId, k -> new ConcurrentHashMap<>()).put(taskId, state);
        }

        @Override
        public void sourceFinished(String taskId) {
            finished.add(taskId);
        }

        @Override
        public void committed(long checkpointId, String taskId) {
            commits.add(taskId + "@" + checkpointId);
        }

        @Override
        public void failed(String taskId, Throwable error) {
            failures.add(error);
        }

        Map<String, byte[]> awaitAcks(long id, int tasks) throws InterruptedException {
            while (acks.getOrDefault(id, Map.of()).size() < tasks) {
                assertEquals(List.of(), failures);
                Thread.sleep(2);
            }
            return acks.get(id);
        }
    }

    private static long longOf(byte[] state) {
        return ByteBuffer.wrap(state).getLong();
    }

    private static Set<Long> longsOf(byte[] state) {
        Set<Long> set = new TreeSet<>();
        ByteBuffer b = ByteBuffer.wrap(state);
        while (b.hasRemaining()) {
            set.add(b.getLong());
        }
        return set;
    }

    @ParameterizedTest
    @EnumSource(QueueType.class)
    void barriersAreAligned_acrossTwoSources_soTheCheckpointIsAConsistentCut(QueueType queueType) throws Exception {
        Events events = new Events();
        Remembering transform = new Remembering();
        MemorySink sink = new MemorySink();
        SubtaskOperators operators = new SubtaskOperators(
                List.of(new Numbers(0, 2, 200_000, 20_000), new Numbers(1, 2, 200_000, 20_000)),
                List.of(transform),
                sink);
        TaskGroup group = new TaskGroup("test", new Shape(2, 1), 0, operators, Map.of(), queueType, events);
        group.start();
        try {
            Thread.sleep(100);
            for (long id = 1; id <= 5; id++) {
                group.trigger(id, false);
                Map<String, byte[]> acks = events.awaitAcks(id, 4);

                // Every value the transform had seen at the barrier is below the next value of
                // the source it came from, and every value below it was seen: no record from
                // behind a barrier leaked in, none before one is missing.
                long nextEven = longOf(acks.get("source-0"));
                long nextOdd = longOf(acks.get("source-0.1"));
                Set<Long> expected = new TreeSet<>();
                for (long v = 0; v < nextEven; v += 2) {
                    expected.add(v);
                }
                for (long v = 1; v < nextOdd; v += 2) {
                    expected.add(v);
                }
                assertEquals(expected, longsOf(acks.get("transform-0")), "checkpoint " + id);
                assertEquals(expected.size(), longOf(acks.get("sink-0")), "sink saw exactly the same records");
                group.complete(id);
            }
            while (sink.completed.size() < 5) {
                Thread.sleep(2);
            }
        } finally {
            group.stop(5_000);
        }
        assertEquals(List.of(), events.failures);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), sink.completed, "the sink heard every completion, in order");
    }

    @Test
    void anExhaustedSource_reportsItself_andStillTakesPartInCheckpoints() throws Exception {
        Events events = new Events();
        MemorySink sink = new MemorySink();
        TaskGroup group = new TaskGroup(
                "test",
                new Shape(1, 0),
                3,
                new SubtaskOperators(List.of(new Numbers(0, 1, 1000)), List.of(), sink),
                Map.of(),
                QueueType.BLOCKINGQUEUE,
                events);
        group.start();
        try {
            while (!events.finished.contains("source-3")) {
                Thread.sleep(2);
            }
            group.trigger(7, true);
            Map<String, byte[]> acks = events.awaitAcks(7, 2);
            assertEquals(1000, longOf(acks.get("source-3")));
            assertEquals(1000, longOf(acks.get("sink-3")));
            assertEquals(1000, events.ackedRecords.get("7/sink-3"), "the sink's ack carries the records it was given");
            assertEquals(0, events.ackedRecords.get("7/source-3"), "other tasks carry none");
            group.complete(7);
            while (events.commits.isEmpty()) {
                Thread.sleep(2);
            }
            assertEquals(List.of("sink-3@7"), events.commits, "on commit");
        } finally {
            group.stop(5_000);
        }
    }

    @Test
    void restoredStates_reachTheirOperators() throws Exception {
        Events events = new Events();
        MemorySink sink = new MemorySink();
        Map<String, byte[]> restored = new HashMap<>();
        restored.put("source-0", ByteBuffer.allocate(8).putLong(990).array());
        TaskGroup group = new TaskGroup(
                "test",
                new Shape(1, 0),
                0,
                new SubtaskOperators(List.of(new Numbers(0, 1, 1000)), List.of(), sink),
                restored,
                QueueType.DISRUPTOR,
                events);
        group.start();
        try {
            while (!events.finished.contains("source-0")) {
                Thread.sleep(2);
            }
            group.trigger(1, true);
            events.awaitAcks(1, 2);
            assertEquals(
                    List.of(990L, 991L, 992L, 993L, 994L, 995L, 996L, 997L, 998L, 999L), new ArrayList<>(sink.written));
        } finally {
            group.stop(5_000);
        }
    }

    @Test
    void aFailingOperator_isReported_withItsTask() throws Exception {
        Events events = new Events();
        Transform<Long, Long> failing = new Remembering() {
            @Override
            public void process(Long record, Collector<? super Long> out) {
                throw new IllegalStateException("boom at " + record);
            }
        };
        TaskGroup group = new TaskGroup(
                "test",
                new Shape(1, 1),
                0,
                new SubtaskOperators(List.of(new Numbers(0, 1, 10)), List.of(failing), new MemorySink()),
                Map.of(),
                QueueType.BLOCKINGQUEUE,
                events);
        group.start();
        try {
            while (events.failures.isEmpty()) {
                Thread.sleep(2);
            }
            assertEquals("boom at 0", events.failures.get(0).getMessage());
        } finally {
            group.stop(5_000);
        }
    }
}
