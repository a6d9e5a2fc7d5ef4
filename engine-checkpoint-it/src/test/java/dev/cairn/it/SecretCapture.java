package dev.cairn.it;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.apache.log4j.Appender;
import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Level;
import org.apache.log4j.LogManager;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;

/**
 * Everything this JVM prints while it runs, as text: every log event of every logger at every
 * level (log4j 1, which slf4j, commons-logging and Hazelcast's slf4j logging end in here, and
 * java.util.logging), everything written to {@code System.out} and {@code System.err}, and what
 * the test adds itself ({@link #exception}: message, {@code toString} and stack trace of a thrown
 * exception; {@link #record}: command output, HTTP bodies, JSON).
 *
 * <p>While it runs, log4j's own appenders are detached (so that TRACE output does not flood the
 * test's output file) and every level is opened; {@link #close()} puts everything back.
 */
final class SecretCapture implements AutoCloseable {
    /** One captured piece of text and where it came from ({@code log4j DEBUG org.apache...}, {@code stdout}, ...). */
    record Entry(String source, String text) {}

    private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> eventsByLevel = new ConcurrentHashMap<>();
    private final AtomicLong chars = new AtomicLong();

    // log4j 1
    private final CapturingAppender appender = new CapturingAppender();
    private final Map<Logger, Level> log4jLevels = new HashMap<>();
    private final List<Appender> rootAppenders = new ArrayList<>();
    private Level log4jRootLevel;
    private Level log4jThreshold;

    // java.util.logging
    private final CapturingHandler julHandler = new CapturingHandler();
    private final Map<java.util.logging.Logger, java.util.logging.Level> julLevels = new HashMap<>();

    // stdout / stderr
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    private volatile boolean open;

    private SecretCapture() {}

    static SecretCapture start() {
        SecretCapture capture = new SecretCapture();
        capture.open();
        return capture;
    }

    private synchronized void open() {
        // log4j 1: every logger at ALL, our appender alone on the root.
        Logger root = Logger.getRootLogger();
        log4jRootLevel = root.getLevel();
        log4jThreshold = LogManager.getLoggerRepository().getThreshold();
        for (Enumeration<?> e = root.getAllAppenders(); e.hasMoreElements(); ) {
            rootAppenders.add((Appender) e.nextElement());
        }
        root.removeAllAppenders();
        root.addAppender(appender);
        root.setLevel(Level.ALL);
        LogManager.getLoggerRepository().setThreshold(Level.ALL);
        for (Enumeration<?> e = LogManager.getCurrentLoggers(); e.hasMoreElements(); ) {
            Logger logger = (Logger) e.nextElement();
            log4jLevels.put(logger, logger.getLevel());
            logger.setLevel(null); // inherit ALL from the root
        }

        // java.util.logging: every logger at ALL, our handler on the root.
        java.util.logging.LogManager jul = java.util.logging.LogManager.getLogManager();
        for (String name : Collections.list(jul.getLoggerNames())) {
            java.util.logging.Logger logger = jul.getLogger(name);
            if (logger != null) {
                julLevels.put(logger, logger.getLevel());
                logger.setLevel(name.isEmpty() ? java.util.logging.Level.ALL : null);
            }
        }
        java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
        julRoot.setLevel(java.util.logging.Level.ALL);
        julHandler.setLevel(java.util.logging.Level.ALL);
        julRoot.addHandler(julHandler);

        // stdout and stderr: still written through, and copied here.
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(new Tee(savedOut, stdout), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(savedErr, stderr), true, StandardCharsets.UTF_8));
        open = true;
    }

    /** Stops capturing and puts logging and the standard streams back as they were. */
    @Override
    public synchronized void close() {
        if (!open) {
            return;
        }
        open = false;
        System.out.flush();
        System.err.flush();
        System.setOut(savedOut);
        System.setErr(savedErr);

        java.util.logging.Logger.getLogger("").removeHandler(julHandler);
        julLevels.forEach(java.util.logging.Logger::setLevel);

        Logger root = Logger.getRootLogger();
        root.removeAppender(appender);
        rootAppenders.forEach(root::addAppender);
        root.setLevel(log4jRootLevel);
        LogManager.getLoggerRepository().setThreshold(log4jThreshold);
        for (Enumeration<?> e = LogManager.getCurrentLoggers(); e.hasMoreElements(); ) {
            Logger logger = (Logger) e.nextElement();
            logger.setLevel(log4jLevels.get(logger)); // loggers made meanwhile: null, as they were
        }
    }

    /** Adds text the test saw (command output, an HTTP body, JSON) under {@code source}. */
    void record(String source, String text) {
        add(source, String.valueOf(text));
    }

    /** Adds everything a thrown exception shows: its message, {@code toString} and full stack trace. */
    void exception(String where, Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        add(
                "exception " + where,
                "message: " + t.getMessage() + "\nlocalized: " + t.getLocalizedMessage() + "\ntoString: " + t + "\n"
                        + trace);
    }

    private void add(String source, String text) {
        entries.add(new Entry(source, text));
        chars.addAndGet(text.length());
    }

    /** Every entry captured so far, standard output and error last (each as one entry). */
    List<Entry> entries() {
        List<Entry> all = new ArrayList<>(entries);
        synchronized (stdout) {
            all.add(new Entry("stdout", stdout.toString(StandardCharsets.UTF_8)));
        }
        synchronized (stderr) {
            all.add(new Entry("stderr", stderr.toString(StandardCharsets.UTF_8)));
        }
        return all;
    }

    /** Whether a captured entry (not stdout or stderr) whose source starts with {@code source} contains {@code text}. */
    boolean seen(String source, String text) {
        for (Entry entry : entries) {
            if (entry.source().startsWith(source) && entry.text().contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** Log events by level ({@code DEBUG}, {@code TRACE}, {@code FINE}, ...), both frameworks. */
    Map<String, Long> eventsByLevel() {
        Map<String, Long> counts = new HashMap<>();
        eventsByLevel.forEach((level, n) -> counts.put(level, n.get()));
        return counts;
    }

    long chars() {
        return chars.get() + stdout.size() + stderr.size();
    }

    private void count(String level) {
        eventsByLevel.computeIfAbsent(level, l -> new AtomicLong()).incrementAndGet();
    }

    private final class CapturingAppender extends AppenderSkeleton {
        CapturingAppender() {
            setName("secret-capture");
        }

        @Override
        protected void append(LoggingEvent event) {
            if (!open) {
                return;
            }
            StringBuilder text = new StringBuilder()
                    .append(event.getLevel())
                    .append(' ')
                    .append(event.getLoggerName())
                    .append(" [")
                    .append(event.getThreadName())
                    .append("] ");
            if (event.getNDC() != null) {
                text.append(event.getNDC()).append(' ');
            }
            if (!event.getProperties().isEmpty()) {
                text.append(event.getProperties()).append(' ');
            }
            text.append(event.getRenderedMessage());
            String[] trace = event.getThrowableStrRep();
            if (trace != null) {
                for (String line : trace) {
                    text.append('\n').append(line);
                }
            }
            count(event.getLevel().toString());
            add("log4j " + event.getLevel() + " " + event.getLoggerName(), text.toString());
        }

        @Override
        public void close() {}

        @Override
        public boolean requiresLayout() {
            return false;
        }
    }

    private final class CapturingHandler extends Handler {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            if (!open || record == null) {
                return;
            }
            String text = record.getLevel() + " " + record.getLoggerName() + " " + formatter.format(record);
            count(record.getLevel().getName());
            add("jul " + record.getLevel() + " " + record.getLoggerName(), text);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /** Writes to the original stream and to a copy. */
    private static final class Tee extends OutputStream {
        private final OutputStream original;
        private final ByteArrayOutputStream copy;

        Tee(OutputStream original, ByteArrayOutputStream copy) {
            this.original = original;
            this.copy = copy;
        }

        @Override
        public void write(int b) {
            synchronized (copy) {
                copy.write(b);
            }
            try {
                original.write(b);
            } catch (java.io.IOException e) {
                // the copy is what counts
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (copy) {
                copy.write(b, off, len);
            }
            try {
                original.write(b, off, len);
            } catch (java.io.IOException e) {
                // the copy is what counts
            }
        }

        @Override
        public void flush() {
            try {
                original.flush();
            } catch (java.io.IOException e) {
                // nothing to do
            }
        }
    }
}
