package dev.cairn.checkpoint.coordinator;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Queue;

/** A {@link Scheduler} whose clock moves only when a test says so; tasks run on the test thread. */
final class ManualScheduler implements Scheduler {
    private record Timed(long at, long seq, Runnable task, boolean[] cancelled) {}

    private final Queue<Runnable> ready = new ArrayDeque<>();
    private final PriorityQueue<Timed> timed =
            new PriorityQueue<>(Comparator.comparingLong(Timed::at).thenComparingLong(Timed::seq));
    private long now;
    private long seq;

    ManualScheduler(long start) {
        this.now = start;
    }

    @Override
    public long now() {
        return now;
    }

    @Override
    public void execute(Runnable task) {
        ready.add(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayMillis) {
        boolean[] cancelled = {false};
        timed.add(new Timed(now + Math.max(0, delayMillis), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Runs everything that is due now, including what that schedules for now. */
    void runDue() {
        while (true) {
            Runnable task = ready.poll();
            if (task != null) {
                task.run();
                continue;
            }
            Timed next = timed.peek();
            if (next != null && next.at() <= now) {
                timed.poll();
                if (!next.cancelled()[0]) {
                    next.task().run();
                }
                continue;
            }
            return;
        }
    }

    /** Moves the clock forward by {@code millis}, running what falls due on the way, in order. */
    void advance(long millis) {
        long target = now + millis;
        runDue();
        while (true) {
            Timed next = timed.peek();
            if (next == null || next.at() > target) {
                break;
            }
            now = Math.max(now, next.at());
            runDue();
        }
        now = target;
        runDue();
    }
}
