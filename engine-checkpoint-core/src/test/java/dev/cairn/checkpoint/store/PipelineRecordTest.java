package dev.cairn.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineRecordTest {
    @Test
    void aSavepointCompletingAfterALaterCheckpointWasFlushed_isStillToBeFlushed() {
        PipelineRecord record = PipelineRecord.EMPTY
                .withIssued(12)
                .withCompleted(12, false)
                .withFlushed(12)
                .withCompleted(11, true);

        assertEquals(List.of(11L, 12L), record.unflushed(), "the savepoint, and the latest once more");
        assertEquals(List.of(), record.withFlushed(11).withFlushed(12).unflushed());
    }

    @Test
    void aCheckpointCompletingLate_isSubsumed_notFlushed() {
        PipelineRecord record =
                PipelineRecord.EMPTY.withCompleted(12, false).withFlushed(12).withCompleted(11, false);

        assertEquals(List.of(), record.unflushed());
    }

    @Test
    void encodesAndDecodesEveryField_andReadsARecordFromBeforeLeases() {
        PipelineRecord record = PipelineRecord.EMPTY
                .withIssued(41)
                .withCompleted(40, true)
                .withAttempt(3)
                .withLease(140);

        assertEquals(record, PipelineRecord.decode(record.encode()));
        byte[] encoded = PipelineRecord.EMPTY
                .withIssued(41)
                .withCompleted(40, true)
                .withAttempt(3)
                .encode();
        byte[] withoutLeaseField = Arrays.copyOf(encoded, encoded.length - 1); // the lease 0 is one byte
        assertEquals(
                PipelineRecord.EMPTY.withIssued(41).withCompleted(40, true).withAttempt(3),
                PipelineRecord.decode(withoutLeaseField));
    }
}
