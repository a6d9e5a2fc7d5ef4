package dev.cairn.checkpoint.quickstart;

import dev.cairn.checkpoint.api.Sink;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

// tag::sink[]
/**
 * Writes transfers to the {@link Ledger} with two-phase commit, the way a Kafka transactional or
 * a JDBC XA sink does. It never drops a replayed transfer: the engine's guarantee does that work.
 *
 * <ul>
 *   <li>{@link #write}: into the open transaction;
 *   <li>{@link #snapshot} (the barrier): prepare the open transaction, and keep it, with the
 *       checkpoint id, in the state;
 *   <li>{@link #notifyCheckpointComplete}: commit every prepared transaction up to that id;
 *   <li>{@link #restore}: commit the transactions the restored state lists (their checkpoint is
 *       committed), abort every other prepared transaction of this writer (the source replays
 *       them).
 * </ul>
 */
final class LedgerSink implements Sink<Transfer> {
    private record Prepared(long checkpointId, String txn) {}

    private final Path dir;
    private final String writer; // one per subtask, stable across restarts: like a transactional.id
    private final List<Prepared> prepared = new ArrayList<>();
    private Ledger ledger;
    private Ledger.Transaction open;

    LedgerSink(Path dir, String writer) {
        this.dir = dir;
        this.writer = writer;
    }

    @Override
    public void restore(byte[] state) throws IOException {
        ledger = Ledger.open(dir);
        if (state != null) {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(state));
            for (int i = in.readInt(); i > 0; i--) {
                prepared.add(new Prepared(in.readLong(), in.readUTF()));
            }
        }
        commitUpTo(Long.MAX_VALUE);
        for (String txn : ledger.prepared(writer)) {
            ledger.abort(writer, txn); // prepared after the restored checkpoint: replayed now
        }
    }

    @Override
    public void write(Transfer transfer) throws IOException {
        if (open == null) {
            open = ledger.begin(writer);
        }
        open.append(transfer.line());
    }

    @Override
    public byte[] snapshot(long checkpointId) throws IOException {
        if (open != null) {
            open.prepare();
            prepared.add(new Prepared(checkpointId, open.id()));
            open = null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(prepared.size());
        for (Prepared p : prepared) {
            out.writeLong(p.checkpointId());
            out.writeUTF(p.txn());
        }
        return bytes.toByteArray();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws IOException {
        commitUpTo(checkpointId);
    }

    private void commitUpTo(long checkpointId) throws IOException {
        for (Iterator<Prepared> it = prepared.iterator(); it.hasNext(); ) {
            Prepared p = it.next();
            if (p.checkpointId() <= checkpointId) {
                ledger.commit(writer, p.txn());
                it.remove();
            }
        }
    }

    @Override
    public void close() {
        if (open != null) {
            open.discard(); // never prepared: the source replays it
        }
    }
}
// end::sink[]
