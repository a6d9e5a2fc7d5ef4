package dev.cairn.checkpoint.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunksInputStreamTest {
    private static final byte[][] CHUNKS = {bytes(5, 1), new byte[0], bytes(3, 2), bytes(1000, 3), new byte[0]};
    private static final byte[] ALL = join(CHUNKS);

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] join(byte[][] chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] c : chunks) {
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    @Test
    void readsTheChunksInOrder_byteByByte_inAnyBufferSize_andWhole() throws IOException {
        InputStream bytes = new ChunksInputStream(CHUNKS);
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        for (int b; (b = bytes.read()) >= 0; ) {
            one.write(b);
        }
        assertArrayEquals(ALL, one.toByteArray());
        assertEquals(-1, bytes.read(new byte[4], 0, 4));

        for (int size : new int[] {1, 2, 7, 4096}) {
            assertArrayEquals(ALL, new ChunksInputStream(CHUNKS).readAllBytes(), "buffer " + size);
            InputStream in = new ChunksInputStream(CHUNKS);
            byte[] buffer = new byte[size + 2];
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            for (int n; (n = in.read(buffer, 1, size)) > 0; ) {
                read.write(buffer, 1, n);
            }
            assertArrayEquals(ALL, read.toByteArray(), "buffer " + size);
        }
        assertEquals(0, new ChunksInputStream(new byte[][] {}).available());
        assertEquals(-1, new ChunksInputStream(new byte[][] {new byte[0]}).read());
    }

    @Test
    void transferTo_writesEachChunkWhole_afterWhatWasAlreadyRead() throws IOException {
        InputStream in = new ChunksInputStream(CHUNKS);
        in.read(new byte[2], 0, 2);
        List<Integer> writes = new ArrayList<>();
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        long n = in.transferTo(new OutputStream() {
            @Override
            public void write(int b) {
                throw new AssertionError("one byte at a time");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(len);
                rest.write(b, off, len);
            }
        });
        assertEquals(ALL.length - 2, n);
        assertEquals(List.of(3, 3, 1000), writes);
        assertArrayEquals(java.util.Arrays.copyOfRange(ALL, 2, ALL.length), rest.toByteArray());
        assertEquals(-1, in.read());
    }
}
