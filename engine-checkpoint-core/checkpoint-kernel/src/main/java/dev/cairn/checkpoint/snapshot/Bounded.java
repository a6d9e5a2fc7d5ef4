package dev.cairn.checkpoint.snapshot;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes of variable-length values whose lengths are checked against what is left of
 * the input before anything is allocated: a corrupt or hostile length is an error, never an
 * out-of-memory. Strings are written as a byte length and UTF-8 bytes (not Kryo's own string
 * format, whose reader sizes its buffer from the untrusted length).
 */
public final class Bounded {
    private Bounded() {}

    public static void writeBytes(Output output, byte[] bytes) {
        output.writeVarInt(bytes.length, true);
        output.writeBytes(bytes);
    }

    public static byte[] readBytes(Input input) {
        int length = readLength(input, 1);
        return input.readBytes(length);
    }

    public static void writeString(Output output, String s) {
        writeBytes(output, s.getBytes(StandardCharsets.UTF_8));
    }

    public static String readString(Input input) {
        return new String(readBytes(input), StandardCharsets.UTF_8);
    }

    /** The encoded size of {@link #writeString}. */
    public static int stringSize(String s) {
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        return Output.varIntLength(bytes, true) + bytes;
    }

    /** The encoded size of {@link #writeBytes}. */
    public static int bytesSize(byte[] bytes) {
        return Output.varIntLength(bytes.length, true) + bytes.length;
    }

    /**
     * A count of elements that each take at least {@code minBytesEach} bytes: a count the rest of
     * the input cannot hold is rejected.
     */
    public static int readCount(Input input, int minBytesEach) {
        return readLength(input, minBytesEach);
    }

    private static int readLength(Input input, int minBytesEach) {
        int length = input.readVarInt(true);
        long remaining = (long) input.limit() - input.position();
        if (length < 0 || (long) length * Math.max(1, minBytesEach) > remaining) {
            throw new KryoException("length " + length + " exceeds the " + remaining + " bytes left");
        }
        return length;
    }
}
