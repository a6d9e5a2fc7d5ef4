package dev.cairn.checkpoint.storage.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
