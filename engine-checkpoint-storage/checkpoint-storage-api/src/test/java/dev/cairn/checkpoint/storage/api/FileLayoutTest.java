package dev.cairn.checkpoint.storage.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class FileLayoutTest {
    @Test
    void fileNames_areZeroPaddedIds_andParseBack() {
        assertEquals("0000000000000000009.ckpt", FileLayout.fileName(CheckpointId.of(9)));
        assertEquals("9223372036854775807.ckpt", FileLayout.fileName(CheckpointId.of(Long.MAX_VALUE)));
        assertEquals(Optional.of(CheckpointId.of(9)), FileLayout.parseFileName("0000000000000000009.ckpt"));
    }

    @Test
    void otherNames_areNotCheckpoints() {
        for (String name : new String[] {
            "9.ckpt",
            "0000000000000000009.ckpt.crc",
            ".0000000000000000009.ckpt.crc",
            "0000000000000000009",
            "9999999999999999999.ckpt",
            FileLayout.tempFileName(CheckpointId.of(9)),
            "x0000000000000000009.ckpt"
        }) {
            assertEquals(Optional.empty(), FileLayout.parseFileName(name), name);
        }
    }

    @Test
    void tempNames_areUniqueHidden_andParseToTheirId() {
        String a = FileLayout.tempFileName(CheckpointId.of(4));
        String b = FileLayout.tempFileName(CheckpointId.of(4));
        assertEquals(false, a.equals(b));
        assertEquals('.', a.charAt(0));
        assertEquals(Optional.of(CheckpointId.of(4)), FileLayout.parseTempFileName(a));
        assertEquals(Optional.empty(), FileLayout.parseTempFileName(".x.tmp"));
        assertEquals(Optional.empty(), FileLayout.parseTempFileName("0000000000000000004.ckpt"));
    }

    @Test
    void partIds_orderByCheckpointThenOrdinal_andParseBack() {
        CheckpointId part = FileLayout.partId(CheckpointId.of(41), 3);
        assertEquals(41L * 65536 + 3, part.value());
        assertEquals(CheckpointId.of(41), FileLayout.checkpointOfPart(part));
        assertEquals(3, FileLayout.ordinalOfPart(part));
        assertTrue(FileLayout.partId(CheckpointId.of(41), 65535).value()
                < FileLayout.partId(CheckpointId.of(42), 0).value());
        assertThrows(IllegalArgumentException.class, () -> FileLayout.partId(CheckpointId.of(1), 65536));
        assertThrows(IllegalArgumentException.class, () -> FileLayout.partId(CheckpointId.of(1), -1));
        assertThrows(IllegalArgumentException.class, () -> FileLayout.partId(CheckpointId.of(1L << 48), 0));
    }

    @Test
    void partsOfAPipeline_andOfItsSavepoints_areValidPipelines_evenForTheLongestName() {
        PipelineKey longest = PipelineKey.of("job", "p".repeat(FileLayout.MAX_PIPELINE_NAME));
        PipelineKey parts = FileLayout.partsOf(FileLayout.savepointsOf(longest));
        assertEquals(PipelineKey.of("job", longest.pipeline() + ".savepoints.parts"), parts);
        assertTrue(FileLayout.holdsParts(parts));
        assertEquals(false, FileLayout.holdsParts(longest));
        assertEquals(Optional.empty(), FileLayout.reservedPipelineName(longest.pipeline()));
    }

    @Test
    void namesTheLayoutKeeps_areRefusedAsPipelineNames() {
        for (String name :
                new String[] {"p.savepoints", "p.ids", "p.parts", "p".repeat(FileLayout.MAX_PIPELINE_NAME + 1)}) {
            assertTrue(FileLayout.reservedPipelineName(name).isPresent(), name);
        }
        assertTrue(FileLayout.reservedPipelineName("p.parts").get().contains("ends in '.parts'"));
        assertEquals(Optional.empty(), FileLayout.reservedPipelineName("p.partsx"));
    }
}
