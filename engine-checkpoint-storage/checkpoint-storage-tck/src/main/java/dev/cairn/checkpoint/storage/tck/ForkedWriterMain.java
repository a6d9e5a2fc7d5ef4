package dev.cairn.checkpoint.storage.tck;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * The child JVM of {@link ForkedWriter}: opens a storage as its {@link ForkRecipe} says and starts
 * one store per order, each on a thread of its own, from a stream that yields its first bytes and
 * then blocks for good. Once every stream has blocked it says so on standard output and waits to be
 * killed. Not API: the suite starts it.
 *
 * <p>Standard input: a {@link Properties} document ({@code factory}, {@code config.<key>}, {@code
 * orders}, {@code order.<i>.job|pipeline|id|size|seed|stallAt}). Standard output: lines starting
 * with {@link #MARK}: {@code opened}, {@code stalled <i>}, {@code all-stalled}, or, when something
 * went wrong, {@code stored <i>} (a store returned without reading all of its data), {@code failed
 * <i> <error>} and {@code error <error>}.
 */
final class ForkedWriterMain {
    static final String MARK = "cairn-tck-fork: ";

    private ForkedWriterMain() {}

    public static void main(String[] args) throws Exception {
        Properties in = new Properties();
        try {
            in.load(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            CheckpointStorageFactory factory = (CheckpointStorageFactory)
                    Class.forName(in.getProperty("factory")).getConstructor().newInstance();
            Map<String, String> config = new HashMap<>();
            for (String key : in.stringPropertyNames()) {
                if (key.startsWith("config.")) {
                    config.put(key.substring("config.".length()), in.getProperty(key));
                }
            }
            CheckpointStorage storage = factory.create(config);
            say("opened");
            int orders = Integer.parseInt(in.getProperty("orders"));
            CountDownLatch stalled = new CountDownLatch(orders);
            for (int i = 0; i < orders; i++) {
                startStore(storage, in, i, stalled);
            }
            stalled.await();
            say("all-stalled");
        } catch (Throwable t) {
            say("error " + describe(t));
            System.exit(3);
        }
        new CountDownLatch(1).await(); // until killed
    }

    private static void startStore(CheckpointStorage storage, Properties in, int i, CountDownLatch stalled) {
        String p = "order." + i + ".";
        PipelineKey pipeline = PipelineKey.of(in.getProperty(p + "job"), in.getProperty(p + "pipeline"));
        CheckpointId id = CheckpointId.of(Long.parseLong(in.getProperty(p + "id")));
        StallingStream data = new StallingStream(
                Long.parseLong(in.getProperty(p + "seed")),
                Integer.parseInt(in.getProperty(p + "size")),
                Integer.parseInt(in.getProperty(p + "stallAt")),
                () -> {
                    say("stalled " + i);
                    stalled.countDown();
                });
        Thread thread = new Thread(
                () -> {
                    try {
                        storage.store(pipeline, id, data);
                        say("stored " + i);
                    } catch (Throwable t) {
                        say("failed " + i + " " + describe(t));
                    }
                },
                "forked-store-" + i);
        thread.setDaemon(true);
        thread.start();
    }

    private static synchronized void say(String line) {
        System.out.println(MARK + line);
        System.out.flush();
    }

    private static String describe(Throwable t) {
        return (t.getClass().getName() + ": " + t.getMessage()).replace('\n', ' ');
    }

    /**
     * Pseudo-random bytes of a given size; after {@code stallAt} of them, the next read blocks
     * until the process dies, as a source would whose producer hangs.
     */
    static final class StallingStream extends InputStream {
        private final Random random;
        private final int size;
        private final int stallAt;
        private final Runnable onStall;
        private int position;
        private boolean stalled;

        StallingStream(long seed, int size, int stallAt, Runnable onStall) {
            this.random = new Random(seed);
            this.size = size;
            this.stallAt = stallAt;
            this.onStall = onStall;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (position >= stallAt) {
                stall();
            }
            if (position >= size) {
                return -1;
            }
            int n = Math.min(len, Math.min(size, stallAt) - position);
            byte[] chunk = new byte[n];
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, b, off, n);
            position += n;
            return n;
        }

        private void stall() throws IOException {
            if (!stalled) {
                stalled = true;
                onStall.run();
            }
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("stalled source interrupted");
            }
        }
    }
}
