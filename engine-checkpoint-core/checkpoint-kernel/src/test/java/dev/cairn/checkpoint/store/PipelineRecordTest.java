package dev.cairn.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineRecordTest {
    @Test
    void aSavepointCompletingAfterALaterCheckpointWasStored_isStillToBeStored_andOnlyIt() {
        PipelineRecord record = PipelineRecord.EMPTY
                .withIssued(12)
                .withCompleted(12, false)
                .withStored(12)
                .withCompleted(11, true);

        assertEquals(List.of(11L), record.unstored(), "the savepoint; the stored checkpoint is not written again");
        assertFalse(record.isStored(11));
        assertTrue(record.isStored(12));
        PipelineRecord after = record.withStored(11);
        assertEquals(List.of(), after.unstored());
        assertTrue(after.isStored(11));
        assertEquals(12, after.storedUpTo());
    }

    @Test
    void aCheckpointCompletingLate_isSuperseded_neverStored() {
        PipelineRecord record =
                PipelineRecord.EMPTY.withCompleted(12, false).withStored(12).withCompleted(11, false);

        assertEquals(List.of(), record.unstored());
        assertTrue(record.isStored(11), "a newer one is stored: the storage owes it nothing");
    }

    @Test
    void oncePartOfTheWayIsStored_theMapKeepsOnlyTheLatestAndWhatStorageStillNeeds() {
        PipelineRecord record = PipelineRecord.EMPTY
                .withCompleted(5, false)
                .withCompleted(6, true)
                .withCompleted(7, false)
                .withCompleted(8, false);

        PipelineRecord stored7 = record.withStored(7);

        assertEquals(List.of(6L, 8L), stored7.inMemory(), "the unstored savepoint and the latest");
        assertEquals(List.of(6L, 8L), stored7.unstored());
    }

    @Test
    void givingUpTheLatest_dropsIt_andTakesNothingOlderAsStored() {
        PipelineRecord record = PipelineRecord.EMPTY
                .withCompleted(5, false)
                .withStored(5)
                .withCompleted(6, false)
                .withCompleted(7, true)
                .withCompleted(8, false);

        PipelineRecord gaveUp = record.withGivenUp(8).withGivenUp(7);

        assertEquals(List.of(5L, 6L), gaveUp.inMemory());
        assertEquals(List.of(6L), gaveUp.unstored(), "6 is still owed to storage");
        assertFalse(gaveUp.isStored(6));
        assertFalse(gaveUp.isStored(8), "given up is not stored");
        assertFalse(gaveUp.isSavepoint(7));
        assertEquals(8, gaveUp.lastCompletedId());
    }

    @Test
    void superseding_neverDropsTheLatestCompleted_norAnUnstoredSavepoint() {
        PipelineRecord record = PipelineRecord.EMPTY
                .withCompleted(5, false)
                .withCompleted(6, true)
                .withCompleted(7, false);

        assertEquals(List.of(6L, 7L), record.without(List.of(5L, 6L, 7L)).inMemory());
    }

    @Test
    void encodesAndDecodesEveryField_andReadsRecordsFromBeforeLeasesAndEpochs() {
        PipelineRecord record = PipelineRecord.EMPTY
                .withIssued(41)
                .withCompleted(40, true)
                .withAttempt(3)
                .withLease(140)
                .withClaim(7, 41, 240);

        assertEquals(record, PipelineRecord.decode(record.encode()));
        assertEquals(7, PipelineRecord.decode(record.encode()).epoch());
        PipelineRecord beforeEpochs = PipelineRecord.EMPTY
                .withIssued(41)
                .withCompleted(40, true)
                .withAttempt(3)
                .withLease(140);
        byte[] encoded = beforeEpochs.encode();
        byte[] withoutEpochField = Arrays.copyOf(encoded, encoded.length - 1); // the epoch 0 is one byte
        assertEquals(beforeEpochs, PipelineRecord.decode(withoutEpochField));
        PipelineRecord beforeLeases =
                PipelineRecord.EMPTY.withIssued(41).withCompleted(40, true).withAttempt(3);
        byte[] old = beforeLeases.encode();
        assertEquals(beforeLeases, PipelineRecord.decode(Arrays.copyOf(old, old.length - 2)));
    }
}
