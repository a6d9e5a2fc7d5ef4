package dev.cairn.checkpoint.runtime;

import dev.cairn.checkpoint.api.config.QueueType;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A bounded queue of records and barriers from one producing task to one consuming task. A put
 * wakes the consumer's {@link Signal}; a put into a full channel waits (backpressure) until there
 * is room or the producer is stopped.
 */
abstract class Channel {
    static final int CAPACITY = 1024;

    private final Signal consumer;

    Channel(Signal consumer) {
        this.consumer = consumer;
    }

    static Channel create(QueueType type, Signal consumer) {
        return switch (type) {
            case BLOCKINGQUEUE -> new BlockingQueueChannel(consumer);
            case DISRUPTOR -> new RingChannel(consumer);
        };
    }

    /**
     * Puts an item, waiting while the channel is full.
     *
     * @return false if {@code stopped} became true while waiting (the item was not put)
     */
    final boolean put(Object item, BooleanSupplier stopped) throws InterruptedException {
        while (!offer(item)) {
            if (stopped.getAsBoolean()) {
                return false;
            }
            awaitRoom();
        }
        consumer.wake();
        return true;
    }

    abstract boolean offer(Object item) throws InterruptedException;

    abstract void awaitRoom() throws InterruptedException;

    /** The next item, or null if there is none now. Called by the consumer only. */
    abstract Object poll();

    /** {@code queue-type: blockingqueue}: an {@link ArrayBlockingQueue}. */
    static final class BlockingQueueChannel extends Channel {
        private final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(CAPACITY);

        BlockingQueueChannel(Signal consumer) {
            super(consumer);
        }

        @Override
        boolean offer(Object item) throws InterruptedException {
            return queue.offer(item, 10, TimeUnit.MILLISECONDS);
        }

        @Override
        void awaitRoom() {
            // offer waited already
        }

        @Override
        Object poll() {
            return queue.poll();
        }
    }

    /**
     * {@code queue-type: disruptor}: a lock-free single-producer single-consumer ring, in the
     * manner of the LMAX Disruptor: one writer advances {@code tail}, one reader advances {@code
     * head}, each published with ordered (release) stores; no locks on either path.
     */
    static final class RingChannel extends Channel {
        private final Object[] ring = new Object[CAPACITY];
        private final int mask = CAPACITY - 1;
        private final AtomicLong head = new AtomicLong(); // next slot to read; written by the consumer
        private final AtomicLong tail = new AtomicLong(); // next slot to write; written by the producer

        RingChannel(Signal consumer) {
            super(consumer);
        }

        @Override
        boolean offer(Object item) {
            long t = tail.get();
            if (t - head.get() >= CAPACITY) {
                return false;
            }
            ring[(int) (t & mask)] = item;
            tail.lazySet(t + 1);
            return true;
        }

        @Override
        void awaitRoom() {
            LockSupport.parkNanos(50_000);
        }

        @Override
        Object poll() {
            long h = head.get();
            if (h >= tail.get()) {
                return null;
            }
            int slot = (int) (h & mask);
            Object item = ring[slot];
            ring[slot] = null;
            head.lazySet(h + 1);
            return item;
        }
    }
}
