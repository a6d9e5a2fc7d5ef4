package dev.cairn.checkpoint.storage.tck;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own ({@link ForkedWriterMain}) that stores checkpoints through the plugin under
 * test, stalls each store midway, and is then killed as {@code kill -9} would kill it.
 */
final class ForkedWriter implements AutoCloseable {
    /** One store the child makes: {@code size} bytes from {@code seed}, stalled after {@code stallAt}. */
    record Order(PipelineKey pipeline, CheckpointId id, int size, long seed, int stallAt) {}

    private static final int TAIL_LINES = 40;

    private final Process process;
    private final BlockingQueue<String> marks = new LinkedBlockingQueue<>();
    private final Deque<String> tail = new ArrayDeque<>();

    private ForkedWriter(Process process) {
        this.process = process;
        Thread pump = new Thread(this::pumpOutput, "forked-writer-output");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts the child with the test JVM's class path. {@code workDir} holds its argument file (the
     * class path can be longer than one command-line argument may be).
     */
    static ForkedWriter start(ForkRecipe recipe, List<Order> orders, Path workDir) throws IOException {
        Path argFile = workDir.resolve("forked-writer.args");
        Files.writeString(argFile, "-cp\n" + quote(System.getProperty("java.class.path")) + "\n");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(recipe.jvmOptions());
        command.add("@" + argFile);
        command.add(ForkedWriterMain.class.getName());
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        ForkedWriter writer = new ForkedWriter(process);
        try (OutputStream stdin = process.getOutputStream();
                Writer w = new OutputStreamWriter(stdin, StandardCharsets.UTF_8)) {
            instructions(recipe, orders).store(w, null);
        }
        return writer;
    }

    private static Properties instructions(ForkRecipe recipe, List<Order> orders) {
        Properties p = new Properties();
        p.setProperty("factory", recipe.factoryClass());
        for (Map.Entry<String, String> e : recipe.pluginConfig().entrySet()) {
            p.setProperty("config." + e.getKey(), e.getValue());
        }
        p.setProperty("orders", Integer.toString(orders.size()));
        for (int i = 0; i < orders.size(); i++) {
            Order o = orders.get(i);
            String k = "order." + i + ".";
            p.setProperty(k + "job", o.pipeline().jobId().value());
            p.setProperty(k + "pipeline", o.pipeline().pipeline());
            p.setProperty(k + "id", Long.toString(o.id().value()));
            p.setProperty(k + "size", Integer.toString(o.size()));
            p.setProperty(k + "seed", Long.toString(o.seed()));
            p.setProperty(k + "stallAt", Integer.toString(o.stallAt()));
        }
        return p;
    }

    /** A java argument-file token: quoted, with backslashes and quotes escaped. */
    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * Waits until every store of the child has read its first bytes and stalled.
     *
     * @throws AssertionError naming what the child said if it failed, finished a store it could
     *     not have finished, exited, or did not get there within {@code timeout}
     */
    void awaitAllStalled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String mark = left > 0 ? marks.poll(Math.min(left, 200_000_000L), TimeUnit.NANOSECONDS) : null;
            if (mark == null) {
                if (!process.isAlive() && marks.isEmpty()) {
                    throw new AssertionError(
                            "the child JVM exited (" + exitValue() + ") before its stores stalled" + output());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(
                            "the child JVM's stores did not reach their stall point within " + timeout + output());
                }
                continue;
            }
            if (mark.equals("all-stalled")) {
                return;
            }
            if (mark.startsWith("stored ")) {
                throw new AssertionError(
                        "store returned before reading all of its data (order " + mark.substring(7) + ")" + output());
            }
            if (mark.startsWith("failed ") || mark.startsWith("error ")) {
                throw new AssertionError("the child JVM could not store: " + mark + output());
            }
        }
    }

    /** Kills the child at once (SIGKILL on POSIX: no shutdown hook, no finally) and waits for it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the child JVM did not die within 30 s of being killed");
        }
    }

    /** Kills the child if it still runs: a test that fails midway leaves no process behind. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private String exitValue() {
        try {
            return Integer.toString(process.exitValue());
        } catch (IllegalThreadStateException e) {
            return "still running";
        }
    }

    /** The child's last lines of output, for a failure message. */
    private String output() {
        synchronized (tail) {
            return tail.isEmpty() ? "; it printed nothing" : "; its last output:\n  " + String.join("\n  ", tail);
        }
    }

    private void pumpOutput() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                if (line.startsWith(ForkedWriterMain.MARK)) {
                    marks.add(line.substring(ForkedWriterMain.MARK.length()));
                }
            }
        } catch (IOException e) {
            // the child died: what it printed so far is in the tail
        }
    }
}
