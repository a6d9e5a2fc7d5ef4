package dev.cairn.checkpoint.storage.tck;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Sources the contract suite hands to {@code store}. */
final class Streams {
    private Streams() {}

    /** Yields half of its bytes, then fails as a broken source or a lost connection would. */
    static final class FailingStream extends InputStream {
        private final ByteArrayInputStream delegate;
        private final int failAfter;
        private int read;

        FailingStream(byte[] data) {
            this.delegate = new ByteArrayInputStream(data);
            this.failAfter = data.length / 2;
        }

        @Override
        public int read() throws IOException {
            check(1);
            read++;
            return delegate.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            check(len);
            int n = delegate.read(b, off, Math.min(len, Math.max(1, failAfter - read)));
            read += Math.max(n, 0);
            return n;
        }

        private void check(int len) throws IOException {
            if (read >= failAfter && len > 0) {
                throw new IOException("source failed after " + read + " bytes (injected by the contract suite)");
            }
        }
    }

    /** Remembers whether it was closed. */
    static final class CloseTrackingStream extends ByteArrayInputStream {
        boolean closed;

        CloseTrackingStream(byte[] data) {
            super(data);
        }

        @Override
        public void close() throws IOException {
            closed = true;
            super.close();
        }
    }
}
