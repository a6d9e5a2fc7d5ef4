package dev.cairn.checkpoint.storage.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The name types' own rules, tested once here. (They used to be 14 cases of the storage contract
 * suite, run again for every plugin, though no plugin can make them pass or fail: a name that
 * breaks the rules never reaches one.)
 */
class NamesTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"..", ".", "/", "\\", "", "\0", "a/b", "../x", "a\\b", "x\0y", ".hidden", "a b", "é"})
    void namesThatCouldLeaveTheNamespace_areRejected(String name) {
        assertThrows(IllegalArgumentException.class, () -> JobId.of(name));
        assertThrows(IllegalArgumentException.class, () -> PipelineKey.of(name, "1"));
        assertThrows(IllegalArgumentException.class, () -> PipelineKey.of("job-1", name));
        assertThrows(IllegalArgumentException.class, () -> new PipelineKey(JobId.of("job-1"), name));
    }

    @Test
    void nullNames_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> JobId.of(null));
        assertThrows(IllegalArgumentException.class, () -> PipelineKey.of("job-1", null));
        assertThrows(NullPointerException.class, () -> new PipelineKey(null, "1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "job-1", "1", "A_b.c-9", "_x", "-x"})
    void portableSingleSegments_areValid(String name) {
        assertEquals(name, JobId.of(name).value());
        assertEquals(name, PipelineKey.of("j", name).pipeline());
    }

    @Test
    void longestNameIsAccepted_oneMoreIsNot() {
        JobId.of("a".repeat(Names.MAX_LENGTH));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> JobId.of("a".repeat(Names.MAX_LENGTH + 1)));
        assertEquals("job id must be at most 128 characters, was 129 characters", e.getMessage());
        PipelineKey.of("j", "a".repeat(Names.MAX_LENGTH));
        assertThrows(IllegalArgumentException.class, () -> PipelineKey.of("j", "a".repeat(300)));
    }

    @Test
    void rejectedNames_areQuotedWithControlCharactersEscaped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipelineKey.of("j", "a\0/b"));
        assertEquals(
                "pipeline name must be letters, digits, '.', '_' or '-' and not start with '.', was \"a\\u0000/b\"",
                e.getMessage());
    }

    @Test
    void checkpointIds_orderNumerically_andNeverGoNegative() {
        assertEquals(-1, CheckpointId.of(9).compareTo(CheckpointId.of(10)));
        assertEquals(CheckpointId.of(10), CheckpointId.of(9).next());
        assertThrows(
                ArithmeticException.class, () -> CheckpointId.of(Long.MAX_VALUE).next());
        assertThrows(IllegalArgumentException.class, () -> CheckpointId.of(-5));
        assertThrows(IllegalArgumentException.class, () -> CheckpointId.of(-1));
        assertThrows(IllegalArgumentException.class, () -> CheckpointId.of(Long.MIN_VALUE));
    }
}
