package com.acme.count;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.PipelineDefinition;
import dev.cairn.checkpoint.api.Sink;
import dev.cairn.checkpoint.api.Source;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A job written by a third party against the job API jar alone: the numbers 0 to count-1, written
 * by a two-phase-commit sink into out/ (a file per subtask and checkpoint, staged in out/.pending/
 * until the checkpoint commits).
 */
public final class CountJob implements JobDefinition {
    @Override
    public String type() {
        return "acme-count";
    }

    @Override
    public List<String> validate(JobSpec spec) {
        List<String> problems = new ArrayList<>();
        if (!spec.params().containsKey("out")) {
            problems.add("out: required, a directory");
        }
        try {
            if (Long.parseLong(spec.params().getOrDefault("count", "")) < 1) {
                problems.add("count: must be at least 1");
            }
        } catch (NumberFormatException e) {
            problems.add("count: required, a whole number");
        }
        return problems;
    }

    @Override
    public String fingerprint(JobSpec spec) {
        return spec.params().get("count") + " " + spec.params().get("out");
    }

    @Override
    public List<PipelineDefinition> pipelines(JobSpec spec) {
        long count = Long.parseLong(spec.params().get("count"));
        Path out = Path.of(spec.params().get("out"));
        return List.of(new PipelineDefinition() {
            @Override
            public String name() {
                return "count";
            }

            @Override
            public int parallelism() {
                return 2;
            }

            @Override
            public Shape shape() {
                return new Shape(1, 0);
            }

            @Override
            public SubtaskOperators create(int subtask, int attempt) {
                return SubtaskOperators.of(new Numbers(subtask, count), new Files2pc(out, subtask));
            }
        });
    }

    /** Subtask s of 2 emits s, s+2, s+4, ... below count; its state is the next one. */
    static final class Numbers implements Source<Long> {
        private final long count;
        private long next;
        private long emitted;

        Numbers(int subtask, long count) {
            this.count = count;
            this.next = subtask;
        }

        @Override
        public boolean emit(Collector<? super Long> out, int max) throws InterruptedException {
            for (int i = 0; i < max && next < count; i++, next += 2) {
                out.collect(next);
                if (++emitted % 500 == 0) {
                    Thread.sleep(50); // 10,000 a second: a few checkpoints (every 2 s as shipped) per run
                }
            }
            return next < count;
        }

        @Override
        public byte[] snapshot(long checkpointId) {
            return ByteBuffer.allocate(8).putLong(next).array();
        }

        @Override
        public void restore(byte[] state) {
            if (state != null) { // null: a fresh start
                next = ByteBuffer.wrap(state).getLong();
            }
        }
    }

    /** Pre-commits a file at each barrier; commits it (a rename) when told; on restore commits what the state lists. */
    static final class Files2pc implements Sink<Long> {
        private final Path out;
        private final Path pending;
        private final int subtask;
        private final StringBuilder open = new StringBuilder();
        private final TreeMap<Long, Path> staged = new TreeMap<>();

        Files2pc(Path out, int subtask) {
            this.out = out;
            this.pending = out.resolve(".pending");
            this.subtask = subtask;
        }

        @Override
        public void write(Long record) {
            open.append(record).append('\n');
        }

        @Override
        public byte[] snapshot(long checkpointId) throws IOException {
            Files.createDirectories(pending);
            Path file = pending.resolve(subtask + "-" + checkpointId);
            Files.writeString(file, open);
            open.setLength(0);
            staged.put(checkpointId, file);
            return String.join("\n", staged.values().stream().map(p -> p.getFileName().toString()).toList())
                    .getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws IOException {
            while (!staged.isEmpty() && staged.firstKey() <= checkpointId) {
                commit(staged.pollFirstEntry().getValue());
            }
        }

        @Override
        public void restore(byte[] state) throws IOException {
            Files.createDirectories(out);
            List<String> owned = new ArrayList<>();
            String listed = state == null ? "" : new String(state, StandardCharsets.UTF_8); // null: a fresh start
            for (String name : listed.split("\n")) {
                if (!name.isEmpty()) {
                    owned.add(name);
                    commit(pending.resolve(name)); // committed already if it is gone
                }
            }
            if (Files.isDirectory(pending)) {
                try (Stream<Path> files = Files.list(pending)) {
                    for (Path file : files.toList()) {
                        String name = file.getFileName().toString();
                        if (name.startsWith(subtask + "-") && !owned.contains(name)) {
                            Files.delete(file); // a transaction of a checkpoint that never committed
                        }
                    }
                }
            }
        }

        private void commit(Path file) throws IOException {
            if (Files.exists(file)) {
                Files.move(file, out.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }
}
