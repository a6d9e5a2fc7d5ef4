package dev.cairn.checkpoint.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

/** Reads the demo's committed output and counts every integer in it. */
public final class OutputCheck {
    public final long records;
    public final long missing;
    public final long duplicated;
    public final long outOfRange;

    private OutputCheck(long records, long missing, long duplicated, long outOfRange) {
        this.records = records;
        this.missing = missing;
        this.duplicated = duplicated;
        this.outOfRange = outOfRange;
    }

    public static OutputCheck of(Path dir, long expected) throws IOException {
        BitSet seen = new BitSet();
        long records = 0;
        long duplicated = 0;
        long outOfRange = 0;
        List<Path> parts;
        try (Stream<Path> files = Files.list(dir)) {
            parts = files.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .toList();
        }
        for (Path part : parts) {
            for (String line : Files.readAllLines(part)) {
                long value = Long.parseLong(line);
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
        return new OutputCheck(records, expected - seen.cardinality(), duplicated, outOfRange);
    }

    public boolean exactlyOnce() {
        return missing == 0 && duplicated == 0 && outOfRange == 0;
    }

    @Override
    public String toString() {
        return records + " records: " + missing + " missing, " + duplicated + " duplicated, " + outOfRange
                + " out of range";
    }
}
