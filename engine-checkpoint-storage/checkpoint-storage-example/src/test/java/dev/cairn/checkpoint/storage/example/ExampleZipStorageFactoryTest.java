package dev.cairn.checkpoint.storage.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.ConfigProblem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What validate() tells a user, word for word, and that the plugin is found by its id. */
class ExampleZipStorageFactoryTest {
    private final ExampleZipStorageFactory factory = new ExampleZipStorageFactory();

    @Test
    void aValidConfig_hasNoProblems() {
        assertEquals(List.of(), factory.validate(Map.of("directory", "/var/lib/cairn/zips")));
        assertEquals(List.of(), factory.validate(Map.of("directory", "zips", "compress", "false")));
        assertEquals(List.of(), factory.validate(Map.of("directory", "zips", "compress", "TRUE")));
    }

    @Test
    void everyProblem_isReportedAtOnce() {
        assertEquals(
                List.of(
                        new ConfigProblem("compres", "unknown key; did you mean 'compress'?"),
                        new ConfigProblem("directroy", "unknown key; did you mean 'directory'?"),
                        new ConfigProblem(
                                "directory",
                                "is required for type example-zip: where the job archives go,"
                                        + " e.g. /var/lib/cairn/zips")),
                factory.validate(Map.of("directroy", "/x", "compres", "true")));
    }

    @Test
    void malformedValues_areQuoted() {
        assertEquals(
                List.of(
                        new ConfigProblem("directory", "must be a directory path, was \" \""),
                        new ConfigProblem("compress", "must be true or false, was \"yes please\"")),
                factory.validate(Map.of("directory", " ", "compress", "yes please")));
        assertEquals(
                List.of(new ConfigProblem(
                        "directory", "is not a valid path (Nul character not allowed), was \"a\0b\"")),
                factory.validate(Map.of("directory", "a\0b")));
    }

    @Test
    void secretLookingKeys_neverShowTheirValue() {
        List<ConfigProblem> problems = factory.validate(Map.of("directory", "/x", "password", "hunter2"));

        assertEquals(List.of(new ConfigProblem("password", "unknown key")), problems);
        assertTrue(problems.stream().noneMatch(p -> p.toString().contains("hunter2")));
    }

    @Test
    void create_refusesAnInvalidConfig() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> factory.create(Map.of("compress", "no")));
        assertTrue(e.getMessage().startsWith("invalid example-zip plugin-config: "), e.getMessage());
    }

    @Test
    void serviceLoader_findsTheFactoryByItsId() {
        assertEquals(
                ExampleZipStorageFactory.class,
                CheckpointStorageFactories.find("example-zip", getClass().getClassLoader())
                        .getClass());
    }
}
