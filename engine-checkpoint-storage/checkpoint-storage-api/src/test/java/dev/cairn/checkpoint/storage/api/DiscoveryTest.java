package dev.cairn.checkpoint.storage.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiscoveryTest {
    /** Two test factories, both registered in src/test/resources/META-INF/services. */
    public static final class Alpha extends Named {
        public Alpha() {
            super("alpha");
        }
    }

    public static final class Beta extends Named {
        public Beta() {
            super("beta");
        }
    }

    /** Registered only by the "twice" class path entry, under Alpha's identifier. */
    public static final class AlphaAgain extends Named {
        public AlphaAgain() {
            super("alpha");
        }
    }

    abstract static class Named implements CheckpointStorageFactory {
        private final String id;

        Named(String id) {
            this.id = id;
        }

        @Override
        public String factoryIdentifier() {
            return id;
        }

        @Override
        public CheckpointStorage create(Map<String, String> pluginConfig) {
            throw new UnsupportedOperationException();
        }
    }

    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void oneMatch_isFound() {
        assertEquals(Beta.class, CheckpointStorageFactories.find("beta", loader).getClass());
        assertEquals(List.of("alpha", "beta"), CheckpointStorageFactories.identifiers(loader));
    }

    @Test
    void noMatch_listsWhatIsAvailable() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CheckpointStorageFactories.find("alpah", loader));
        assertEquals("no checkpoint storage 'alpah'; available: alpha, beta", e.getMessage());
    }

    @Test
    void severalMatches_nameTheClasses() throws Exception {
        URL twice = loader.getResource("twice/");
        try (URLClassLoader both = new URLClassLoader(new URL[] {twice}, loader)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> CheckpointStorageFactories.find("alpha", both));
            assertEquals(
                    "several checkpoint storages are called 'alpha': " + Alpha.class.getName() + ", "
                            + AlphaAgain.class.getName() + "; remove all but one of their jars from the class path",
                    e.getMessage());
        }
    }

    @Test
    void emptyClassPath_saysSo() throws Exception {
        try (URLClassLoader none = new URLClassLoader(new URL[0], null)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> CheckpointStorageFactories.find("hdfs", none));
            assertEquals(
                    "no checkpoint storage 'hdfs'; available: none (no plugin jar on the class path)", e.getMessage());
        }
    }
}
