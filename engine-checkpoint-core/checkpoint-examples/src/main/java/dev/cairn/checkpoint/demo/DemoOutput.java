package dev.cairn.checkpoint.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's committed output, checked: every {@code part-*} file directly under the output
 * directory read, every integer counted. Exactly once means none missing, none twice, none foreign.
 */
public final class DemoOutput {
    public final long records;
    public final long missing;
    public final long duplicated;
    public final long outOfRange;

    private DemoOutput(long records, long missing, long duplicated, long outOfRange) {
        this.records = records;
        this.missing = missing;
        this.duplicated = duplicated;
        this.outOfRange = outOfRange;
    }

    public static DemoOutput check(Path dir, long expected) throws IOException {
        BitSet seen = new BitSet();
        long records = 0;
        long duplicated = 0;
        long outOfRange = 0;
        List<Path> parts;
        if (!Files.isDirectory(dir)) {
            return new DemoOutput(0, expected, 0, 0);
        }
        try (Stream<Path> files = Files.list(dir)) {
            parts = files.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .toList();
        }
        for (Path part : parts) {
            for (String line : Files.readAllLines(part)) {
                long value = Long.parseLong(line);
                records++;
                if (value < 0 || value >= expected || value > Integer.MAX_VALUE) {
                    outOfRange++;
                } else if (seen.get((int) value)) {
                    duplicated++;
                } else {
                    seen.set((int) value);
                }
            }
        }
        return new DemoOutput(records, expected - seen.cardinality(), duplicated, outOfRange);
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
