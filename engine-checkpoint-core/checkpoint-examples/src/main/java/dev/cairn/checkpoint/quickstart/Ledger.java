package dev.cairn.checkpoint.quickstart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The external system of the quickstart: a transactional ledger in a directory, with the
 * two-phase commit of a Kafka producer or an XA database. A writer opens a transaction, appends to
 * it, prepares it (durable, invisible), then commits it (visible) or aborts it. Commit and abort
 * are idempotent; prepared transactions are listed by writer, so a writer that restarts can find
 * its own.
 *
 * <p>On disk: {@code open/} (being written), {@code prepared/WRITER/TXN}, {@code committed/TXN}.
 * What the ledger holds is the {@code committed/} files, one transfer per line.
 */
public final class Ledger {
    private final Path open;
    private final Path prepared;
    private final Path committed;

    private Ledger(Path dir) throws IOException {
        this.open = Files.createDirectories(dir.resolve("open"));
        this.prepared = Files.createDirectories(dir.resolve("prepared"));
        this.committed = Files.createDirectories(dir.resolve("committed"));
    }

    public static Ledger open(Path dir) throws IOException {
        return new Ledger(dir);
    }

    /** A new transaction of {@code writer}. */
    public Transaction begin(String writer) throws IOException {
        String id = writer + "." + UUID.randomUUID();
        return new Transaction(
                writer,
                id,
                FileChannel.open(open.resolve(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    /** Makes a prepared transaction visible; nothing happens if it was committed already. */
    public void commit(String writer, String txn) throws IOException {
        try {
            Files.move(prepared.resolve(writer).resolve(txn), committed.resolve(txn), StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            if (!Files.exists(committed.resolve(txn))) {
                throw new IOException("transaction " + txn + " was neither prepared nor committed", e);
            }
        }
    }

    /** Drops a prepared transaction; nothing happens if it is gone already. */
    public void abort(String writer, String txn) throws IOException {
        Files.deleteIfExists(prepared.resolve(writer).resolve(txn));
    }

    /** The prepared (neither committed nor aborted) transactions of {@code writer}. */
    public List<String> prepared(String writer) throws IOException {
        Path dir = prepared.resolve(writer);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Every committed line, in no particular order. */
    public List<String> committedLines() throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(committed)) {
            for (Path file : files.toList()) {
                lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    /** A transaction being written. */
    public final class Transaction {
        private final String writer;
        private final String id;
        private final FileChannel file;

        private Transaction(String writer, String id, FileChannel file) {
            this.writer = writer;
            this.id = id;
            this.file = file;
        }

        public String id() {
            return id;
        }

        public void append(String line) throws IOException {
            file.write(StandardCharsets.UTF_8.encode(line + "\n"));
        }

        /** Makes the transaction durable and ready to commit; nothing more can be appended. */
        public void prepare() throws IOException {
            file.force(true);
            file.close();
            Path dir = Files.createDirectories(prepared.resolve(writer));
            Files.move(open.resolve(id), dir.resolve(id), StandardCopyOption.ATOMIC_MOVE);
        }

        /** Drops what was appended. */
        public void discard() {
            try {
                file.close();
                Files.deleteIfExists(open.resolve(id));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
