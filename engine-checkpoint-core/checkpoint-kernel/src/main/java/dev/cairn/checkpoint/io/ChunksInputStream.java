package dev.cairn.checkpoint.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Arrays read one after another as one stream, never joined: a part stored from the chunks it
 * was put in. {@link #transferTo} hands each array to the output whole, as a {@code
 * ByteArrayInputStream} does its one array.
 */
public final class ChunksInputStream extends InputStream {
    private final byte[][] chunks;
    private int chunk;
    private int at;

    public ChunksInputStream(byte[][] chunks) {
        this.chunks = chunks.clone();
    }

    /** Moves past spent chunks; false at the end. */
    private boolean more() {
        while (chunk < chunks.length && at == chunks[chunk].length) {
            chunk++;
            at = 0;
        }
        return chunk < chunks.length;
    }

    @Override
    public int read() {
        return more() ? chunks[chunk][at++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!more()) {
            return -1;
        }
        int n = Math.min(len, chunks[chunk].length - at);
        System.arraycopy(chunks[chunk], at, b, off, n);
        at += n;
        return n;
    }

    @Override
    public int available() {
        return more() ? chunks[chunk].length - at : 0;
    }

    @Override
    public long transferTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        long written = 0;
        while (more()) {
            int n = chunks[chunk].length - at;
            out.write(chunks[chunk], at, n);
            at += n;
            written += n;
        }
        return written;
    }
}
