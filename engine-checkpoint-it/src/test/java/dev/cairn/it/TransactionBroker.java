package dev.cairn.it;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;

/**
 * A transactional store outside the engine, as a Kafka cluster or a database is: it survives every
 * member kill and full restart the test makes (it lives in the test JVM, not in any member). Sinks
 * open a transaction, write into it, prepare it at a barrier and commit it later; only committed
 * records count as output. It dedupes nothing: a record committed twice is there twice.
 *
 * <p>It also watches the engine: a commit of a transaction whose checkpoint is not in storage
 * (neither it nor a newer one of its pipeline) is recorded as a violation, when the test asks for
 * that check ({@link #requireStoredBeforeCommit}).
 */
final class TransactionBroker {
    private static final Map<String, TransactionBroker> BROKERS = new ConcurrentHashMap<>();

    enum State {
        OPEN,
        PREPARED,
        COMMITTED
    }

    private static final class Transaction {
        final String pipeline;
        final long checkpointId;
        final long epoch;
        final List<Long> records = new ArrayList<>();
        State state = State.OPEN;
        long preparedFor = -1;

        Transaction(String pipeline, long checkpointId, long epoch) {
            this.pipeline = pipeline;
            this.checkpointId = checkpointId;
            this.epoch = epoch;
        }
    }

    private final Map<String, Transaction> transactions = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    /** The epochs whose commits took effect, in the order they did. */
    private final List<Long> commitEpochs = new CopyOnWriteArrayList<>();

    private volatile BiPredicate<String, Long> storedAtLeast;

    private TransactionBroker() {}

    /** The broker of one test run, by name. */
    static TransactionBroker named(String name) {
        return BROKERS.computeIfAbsent(name, n -> new TransactionBroker());
    }

    static void forget(String name) {
        BROKERS.remove(name);
    }

    /**
     * From now on every commit checks that its checkpoint, or a newer one of the pipeline, is in
     * storage ({@code storedAtLeast.test(pipeline, id)}); a commit that fails the check is a
     * violation.
     */
    void requireStoredBeforeCommit(BiPredicate<String, Long> storedAtLeast) {
        this.storedAtLeast = storedAtLeast;
    }

    /**
     * The check {@link #requireStoredBeforeCommit} wants, against {@code storage}: whether checkpoint
     * {@code id} of {@code pipeline} ("job/1"), or a newer checkpoint or savepoint of it, is stored.
     */
    static BiPredicate<String, Long> storedIn(CheckpointStorage storage) {
        return (pipeline, id) -> {
            String[] parts = pipeline.split("/");
            PipelineKey key = PipelineKey.of(parts[0], parts[1]);
            try {
                for (PipelineKey where : List.of(key, FileLayout.savepointsOf(key))) {
                    List<CheckpointId> ids = storage.list(where);
                    if (!ids.isEmpty() && ids.get(ids.size() - 1).value() >= id) {
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
    }

    synchronized void open(String txn, String pipeline, long epoch) {
        transactions.putIfAbsent(txn, new Transaction(pipeline, -1, epoch));
    }

    synchronized void write(String txn, long record) {
        Transaction t = transactions.get(txn);
        if (t.state != State.OPEN) {
            violations.add("write into " + t.state + " transaction " + txn);
            return;
        }
        t.records.add(record);
    }

    /** Pre-commit at the barrier of {@code checkpointId}: durable from now on. */
    synchronized void prepare(String txn, long checkpointId) {
        Transaction t = transactions.get(txn);
        t.state = State.PREPARED;
        t.preparedFor = checkpointId;
    }

    /**
     * Commits a prepared transaction. Committing a committed one again is a no-op, as a
     * transactional producer's commit of a recovered transaction is; committing one that was never
     * prepared is the engine's bug, recorded.
     */
    synchronized void commit(String txn, long epoch) {
        Transaction t = transactions.get(txn);
        if (t == null || t.state == State.OPEN) {
            violations.add("commit of unprepared transaction " + txn);
            return;
        }
        if (t.state == State.COMMITTED) {
            return;
        }
        BiPredicate<String, Long> check = storedAtLeast;
        if (check != null && !check.test(t.pipeline, t.preparedFor)) {
            violations.add("transaction " + txn + " of checkpoint " + t.preparedFor + " committed before any"
                    + " checkpoint at or above it was in storage");
        }
        t.state = State.COMMITTED;
        if (commitEpochs.isEmpty() || commitEpochs.get(commitEpochs.size() - 1) != epoch) {
            commitEpochs.add(epoch);
        }
    }

    /** What the committed transactions hold, checked against 0 to {@code expected} - 1. */
    synchronized Output output(long expected) {
        BitSet seen = new BitSet();
        long records = 0;
        long duplicated = 0;
        long outOfRange = 0;
        for (Transaction t : transactions.values()) {
            if (t.state != State.COMMITTED) {
                continue;
            }
            for (long value : t.records) {
                records++;
                if (value < 0 || value >= expected) {
                    outOfRange++;
                } else if (seen.get((int) value)) {
                    duplicated++;
                } else {
                    seen.set((int) value);
                }
            }
        }
        return new Output(records, expected - seen.cardinality(), duplicated, outOfRange);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    /** The master epochs whose commits took effect, in order (an epoch appears again if commits went back to it). */
    List<Long> commitEpochs() {
        return List.copyOf(commitEpochs);
    }

    record Output(long records, long missing, long duplicated, long outOfRange) {
        boolean exactlyOnce() {
            return missing == 0 && duplicated == 0 && outOfRange == 0;
        }
    }
}
