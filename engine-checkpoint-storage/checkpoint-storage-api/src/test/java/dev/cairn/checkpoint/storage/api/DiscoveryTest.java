package dev.cairn.checkpoint.storage.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Registered only by the "broken2" class path entry: a factory whose class cannot be linked. */
    public static final class Throwing extends Named {
        public Throwing() {
            super("throwing");
            throw new NoClassDefFoundError("com/example/Client");
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
    void brokenProviders_costTheirOwnFactoriesOnly() throws Exception {
        URL[] broken = {loader.getResource("broken/"), loader.getResource("broken2/")};
        try (URLClassLoader withBroken = new URLClassLoader(broken, loader)) {
            assertEquals(
                    Beta.class,
                    CheckpointStorageFactories.find("beta", withBroken).getClass());
            assertEquals(List.of("alpha", "beta"), CheckpointStorageFactories.identifiers(withBroken));
            List<String> failures = CheckpointStorageFactories.failures(withBroken);
            assertEquals(3, failures.size(), failures.toString());
            assertTrue(
                    failures.get(0)
                            .contains("broken/META-INF/services/" + CheckpointStorageFactory.class.getName()
                                    + ":1: Illegal configuration-file syntax"),
                    failures.get(0));
            assertEquals("Provider com.example.Missing not found", failures.get(1));
            assertTrue(
                    failures.get(2).startsWith("Provider " + Throwing.class.getName() + " could not be instantiated")
                            && failures.get(2).endsWith("(NoClassDefFoundError: com/example/Client)"),
                    failures.get(2));

            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> CheckpointStorageFactories.find("throwing", withBroken));
            assertTrue(
                    e.getMessage().startsWith("no checkpoint storage 'throwing'; available: alpha, beta; not loaded: "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Provider com.example.Missing not found; "), e.getMessage());
        }
    }

    @Test
    void aFactoryOfThisClassLoader_isReturnedAsItIs() {
        CheckpointStorageFactory found = CheckpointStorageFactories.find("alpha", loader);
        assertSame(Alpha.class, found.getClass());
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
