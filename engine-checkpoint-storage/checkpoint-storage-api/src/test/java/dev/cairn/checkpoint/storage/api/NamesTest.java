package dev.cairn.checkpoint.storage.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
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
    }
}
