package dev.cairn.checkpoint.plugins;

import static dev.cairn.checkpoint.plugins.PluginJars.services;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.config.ConfigException;
import dev.cairn.checkpoint.config.ConfigLoader;
import dev.cairn.checkpoint.runtime.JobDefinitions;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.JobId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin folders built in the test: two plugins with different versions of one library, a
 * malformed services file, a missing provider class, a factory that cannot be linked, a client
 * jar that is missing until the storage is opened, a job jar.
 */
class PluginsTest {
    private static final String STORAGE =
            """
            package com.acme;
            import dev.cairn.checkpoint.storage.api.*;
            import java.io.InputStream;
            import java.util.*;
            public final class NamedStorage implements CheckpointStorage {
                private final String name;
                public NamedStorage(String name) { this.name = name; }
                public void store(PipelineKey p, CheckpointId id, InputStream data) {}
                public Optional<byte[]> load(PipelineKey p, CheckpointId id) { return Optional.empty(); }
                public List<CheckpointId> list(PipelineKey p) { return List.of(); }
                public List<PipelineKey> pipelines(JobId job) { return List.of(); }
                public List<JobId> jobs() { new com.acme.client.Client(); return List.of(); }
                public void delete(PipelineKey p, CheckpointId id) {}
                public void deleteJob(JobId job) {}
                public void close() {}
                public String toString() { return name; }
            }
            """;

    private static String factory(String pkg, String name, String id, String constructor, String create) {
        return """
                package com.acme.%s;
                import dev.cairn.checkpoint.storage.api.*;
                import java.util.Map;
                public final class %s implements CheckpointStorageFactory {
                    public %s() { %s }
                    public String factoryIdentifier() { return %s; }
                    public CheckpointStorage create(Map<String, String> config) {
                        %s
                        return new com.acme.NamedStorage(factoryIdentifier() + " in "
                                + Thread.currentThread().getContextClassLoader().getName());
                    }
                }
                """
                .formatted(pkg, name, name, constructor, id, create);
    }

    private static final String JOB =
            """
            package com.acme.job;
            import dev.cairn.checkpoint.api.*;
            import java.util.List;
            public final class AcmeJob implements JobDefinition {
                public String type() { return "acme-job"; }
                public List<String> validate(JobSpec spec) { return List.of(); }
                public List<PipelineDefinition> pipelines(JobSpec spec) { return List.of(); }
                public String fingerprint(JobSpec spec) { return "acme"; }
            }
            """;

    private static String version(String v) {
        return "package com.acme.lib; public final class Version { public static String get() { return \"" + v
                + "\"; } }";
    }

    @TempDir
    static Path work;

    static Path classes;
    static Path version2;
    static Path version3;
    Path root;

    @BeforeAll
    static void compile() throws Exception {
        classes = PluginJars.compile(
                work,
                Map.of(
                        "com.acme.lib.Version", version("1"),
                        "com.acme.client.Client", "package com.acme.client; public final class Client {}",
                        "com.acme.NamedStorage", STORAGE,
                        "com.acme.alpha.AlphaFactory",
                                factory("alpha", "AlphaFactory", "\"alpha-\" + com.acme.lib.Version.get()", "", ""),
                        "com.acme.beta.BetaFactory",
                                factory("beta", "BetaFactory", "\"beta-\" + com.acme.lib.Version.get()", "", ""),
                        "com.acme.eager.EagerFactory",
                                factory("eager", "EagerFactory", "\"eager\"", "new com.acme.client.Client();", ""),
                        "com.acme.lazy.LazyFactory",
                                factory("lazy", "LazyFactory", "\"lazy\"", "", "new com.acme.client.Client();"),
                        "com.acme.picky.PickyFactory",
                                factory("picky", "PickyFactory", "\"picky\"", "", "")
                                        .replace(
                                                "public String factoryIdentifier()",
                                                "public java.util.List<ConfigProblem> validate(Map<String, String> c) {"
                                                        + " new com.acme.client.Client(); return java.util.List.of(); }"
                                                        + " public String factoryIdentifier()"),
                        "com.acme.job.AcmeJob", JOB));
        version2 = PluginJars.compile(work, Map.of("com.acme.lib.Version", version("2")));
        version3 = PluginJars.compile(work, Map.of("com.acme.lib.Version", version("3")));
    }

    private Path plugin(String folder, String jar, List<String> classNames, Map<String, String> entries)
            throws Exception {
        return PluginJars.jar(root.resolve(folder).resolve(jar), classes, classNames, entries);
    }

    private void storagePlugin(String folder, String factoryClass) throws Exception {
        plugin(
                folder,
                folder + ".jar",
                List.of(factoryClass, "com.acme.NamedStorage"),
                Map.of(services(CheckpointStorageFactory.class), factoryClass + "\n"));
    }

    /** Every kind of plugin folder, good and broken, under one plugins directory. */
    private Plugins loadAll() throws Exception {
        root = Files.createTempDirectory(work, "plugins");
        storagePlugin("alpha", "com.acme.alpha.AlphaFactory");
        PluginJars.jar(root.resolve("alpha/lib-1.jar"), classes, List.of("com.acme.lib.Version"), Map.of());
        storagePlugin("beta", "com.acme.beta.BetaFactory");
        PluginJars.jar(root.resolve("beta/lib-2.jar"), version2, List.of("com.acme.lib.Version"), Map.of());
        plugin("malformed", "m.jar", List.of(), Map.of(services(CheckpointStorageFactory.class), "not a class!\n"));
        plugin("missing", "m.jar", List.of(), Map.of(services(CheckpointStorageFactory.class), "com.acme.Missing\n"));
        storagePlugin("eager", "com.acme.eager.EagerFactory"); // its client jar is not in the folder
        storagePlugin("lazy", "com.acme.lazy.LazyFactory"); // neither: it needs it only to open a storage
        plugin(
                "jobs",
                "jobs.jar",
                List.of("com.acme.job.AcmeJob"),
                Map.of(services(JobDefinition.class), "com.acme.job.AcmeJob\n"));
        Files.createDirectories(root.resolve("empty"));
        Files.copy(root.resolve("jobs/jobs.jar"), root.resolve("stray.jar"));
        return Plugins.load(List.of(root), getClass().getClassLoader());
    }

    private static Map<String, String> statuses(Plugins plugins) {
        return plugins.all().stream()
                .collect(Collectors.toMap(
                        Plugin::name,
                        p -> p.status() + p.problem().map(s -> ": " + s).orElse("")));
    }

    @Test
    void eachBrokenFolder_disablesItselfAlone_withOneLineSayingWhy() throws Exception {
        try (Plugins plugins = loadAll()) {
            Map<String, String> status = statuses(plugins);
            assertEquals("LOADED", status.get("alpha"));
            assertEquals("LOADED", status.get("beta"));
            assertEquals("LOADED", status.get("lazy"));
            assertEquals("LOADED", status.get("jobs"));
            assertTrue(
                    status.get("malformed")
                            .matches("FAILED: jar:file:.*/malformed/m.jar!/META-INF/services/"
                                    + CheckpointStorageFactory.class.getName().replace(".", "\\.")
                                    + ":1: Illegal configuration-file syntax"),
                    status.get("malformed"));
            assertEquals("FAILED: Provider com.acme.Missing not found", status.get("missing"));
            assertTrue(
                    status.get("eager").startsWith("FAILED: Provider com.acme.eager.EagerFactory could not be")
                            && status.get("eager").endsWith("(NoClassDefFoundError: com/acme/client/Client)"),
                    status.get("eager"));
            assertEquals("FAILED: no .jar file in it", status.get("empty"));
            assertTrue(status.get("stray.jar").startsWith("FAILED: a jar directly in the plugins directory"));
            assertTrue(status.values().stream().noneMatch(s -> s.contains("\n")), status.toString());

            ClassLoader loader = plugins.classLoader();
            assertEquals( // hdfs and localfile: the engine's own, on this test's class path
                    List.of("alpha-1", "beta-2", "hdfs", "lazy", "localfile"),
                    CheckpointStorageFactories.identifiers(loader));
            assertEquals(List.of(), CheckpointStorageFactories.failures(loader));
            assertEquals(
                    List.of("acme-job"),
                    plugins.all().stream()
                            .filter(p -> p.name().equals("jobs"))
                            .findFirst()
                            .orElseThrow()
                            .jobs());
        }
    }

    @Test
    void twoPlugins_carryTwoVersionsOfOneLibrary_eachProviderLinkedAgainstItsOwn() throws Exception {
        try (Plugins plugins = loadAll()) {
            List<CheckpointStorageFactory> providers = new ArrayList<>();
            ServiceLoader.load(CheckpointStorageFactory.class, plugins.classLoader())
                    .forEach(providers::add);
            Map<String, CheckpointStorageFactory> byId =
                    providers.stream().collect(Collectors.toMap(CheckpointStorageFactory::factoryIdentifier, f -> f));
            ClassLoader alpha = byId.get("alpha-1").getClass().getClassLoader();
            ClassLoader beta = byId.get("beta-2").getClass().getClassLoader();
            assertEquals("plugin alpha", alpha.getName());
            assertEquals("plugin beta", beta.getName());
            Class<?> alphaVersion = alpha.loadClass("com.acme.lib.Version");
            Class<?> betaVersion = beta.loadClass("com.acme.lib.Version");
            assertNotSame(alphaVersion, betaVersion);
            assertSame(alpha, alphaVersion.getClassLoader());
            // What they share is the engine's own.
            assertSame(CheckpointStorageFactory.class, alpha.loadClass(CheckpointStorageFactory.class.getName()));
            assertSame(JobId.class, beta.loadClass(JobId.class.getName()));
            assertSame(JobDefinition.class, beta.loadClass(JobDefinition.class.getName()));
            // and nothing else of the engine is visible
            assertThrows(ClassNotFoundException.class, () -> alpha.loadClass("org.yaml.snakeyaml.Yaml"));
            assertThrows(ClassNotFoundException.class, () -> alpha.loadClass(ConfigLoader.class.getName()));
            assertThrows(ClassNotFoundException.class, () -> alpha.loadClass(PluginsTest.class.getName()));
            assertEquals(null, alpha.getResource("META-INF/services/" + JobDefinition.class.getName()));
        }
    }

    @Test
    void aPluginsStorage_runsWithItsOwnClassLoaderAsTheContextClassLoader() throws Exception {
        try (Plugins plugins = loadAll();
                CheckpointStorage storage = CheckpointStorageFactories.find("beta-2", plugins.classLoader())
                        .create(Map.of())) {
            assertEquals("beta-2 in plugin beta", storage.toString());
            assertSame(getClass().getClassLoader(), Thread.currentThread().getContextClassLoader());
        }
    }

    @Test
    void aClientJarMissing_isAClearStorageException_whenTheStorageIsOpenedOrUsed() throws Exception {
        try (Plugins plugins = loadAll()) {
            CheckpointStorageFactory lazy = CheckpointStorageFactories.find("lazy", plugins.classLoader());
            CheckpointStorageException e = assertThrows(CheckpointStorageException.class, () -> lazy.create(Map.of()));
            assertEquals(
                    "checkpoint storage 'lazy' (plugin lazy) cannot run: NoClassDefFoundError: com/acme/client/Client;"
                            + " a class it needs is missing: is a jar missing from the plugin's folder?",
                    e.getMessage());
            try (CheckpointStorage alpha = CheckpointStorageFactories.find("alpha-1", plugins.classLoader())
                    .create(Map.of())) {
                CheckpointStorageException used = assertThrows(CheckpointStorageException.class, alpha::jobs);
                assertTrue(used.getMessage().contains("NoClassDefFoundError: com/acme/client/Client"));
            }
        }
    }

    @Test
    void aJobJar_isFoundThroughThePluginsClassLoader() throws Exception {
        try (Plugins plugins = loadAll()) {
            JobDefinition job =
                    JobDefinitions.find("acme-job", plugins.classLoader()).orElseThrow();
            assertEquals("plugin jobs", job.getClass().getClassLoader().getName());
            // The engine's own job definitions (the parent's) are still there beside it.
            assertEquals(
                    JobDefinitions.all(getClass().getClassLoader()).size() + 1,
                    JobDefinitions.all(plugins.classLoader()).size());
        }
    }

    @Test
    void theConfiguration_namesTheFailedPluginItUses() throws Exception {
        try (Plugins plugins = loadAll()) {
            ConfigLoader loader = new ConfigLoader(name -> null, plugins.classLoader());
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> loader.parse(
                            "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        type: eager\n", "test"));
            String problem = String.join("\n", e.problems());
            assertTrue(
                    problem.startsWith("seatunnel.engine.checkpoint.storage.type: no checkpoint storage 'eager';"
                            + " available: alpha-1, beta-2, hdfs, lazy, localfile; the plugin in "
                            + root.resolve("eager") + " failed to load: Provider com.acme.eager.EagerFactory"),
                    problem);
            assertTrue(problem.endsWith("(NoClassDefFoundError: com/acme/client/Client) (line 5)"), problem);

            ConfigException other = assertThrows(
                    ConfigException.class,
                    () -> loader.parse(
                            "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        type: zeta\n", "test"));
            assertTrue(
                    String.join("\n", other.problems())
                            .contains("; plugins are the folders in " + root + "; failed to load: "
                                    + root.resolve("eager") + ": Provider com.acme.eager.EagerFactory"),
                    other.problems().toString());
        }
    }

    @Test
    void aValidateThatCannotLink_isAProblemOfTheType() throws Exception {
        root = Files.createTempDirectory(work, "plugins");
        storagePlugin("picky", "com.acme.picky.PickyFactory"); // without the client jar its validate needs
        try (Plugins plugins = Plugins.load(List.of(root), getClass().getClassLoader())) {
            ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(
                            name -> null, plugins.classLoader())
                    .parse("seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        type: picky\n", "test"));
            assertEquals(
                    List.of("seatunnel.engine.checkpoint.storage.type: the 'picky' plugin cannot check its"
                            + " plugin-config: NoClassDefFoundError: com/acme/client/Client (line 5)"),
                    e.problems());
        }
    }

    @Test
    void aChangedJar_isWhatTheNextLoadSees() throws Exception {
        Path plugins;
        try (Plugins first = loadAll()) {
            plugins = root;
            assertTrue(
                    CheckpointStorageFactories.identifiers(first.classLoader()).contains("alpha-1"));
        }
        PluginJars.jar(plugins.resolve("alpha/lib-1.jar"), version3, List.of("com.acme.lib.Version"), Map.of());
        try (Plugins second = Plugins.load(List.of(plugins), getClass().getClassLoader())) {
            assertTrue(
                    CheckpointStorageFactories.identifiers(second.classLoader()).contains("alpha-3"),
                    CheckpointStorageFactories.identifiers(second.classLoader()).toString());
        }
    }

    @Test
    void aFolderInAnEarlierDirectory_shadowsOneOfTheSameName() throws Exception {
        try (Plugins all = loadAll()) {
            Path first = Files.createTempDirectory(work, "first");
            Files.createDirectories(first.resolve("beta"));
            Files.copy(root.resolve("alpha/alpha.jar"), first.resolve("beta/alpha.jar"));
            Files.copy(root.resolve("alpha/lib-1.jar"), first.resolve("beta/lib-1.jar"));
            try (Plugins plugins = Plugins.load(
                    List.of(first, root, work.resolve("absent")), getClass().getClassLoader())) {
                Plugin shadowed = plugins.all().stream()
                        .filter(p -> p.folder().equals(root.resolve("beta")))
                        .findFirst()
                        .orElseThrow();
                assertEquals(Plugin.Status.SHADOWED, shadowed.status());
                assertEquals(
                        "shadowed by " + first.resolve("beta"),
                        shadowed.problem().orElseThrow());
                assertEquals(
                        List.of("alpha-1", "hdfs", "lazy", "localfile"),
                        CheckpointStorageFactories.identifiers(plugins.classLoader()));
            }
        }
    }
}
