package dev.cairn.checkpoint.storage.tck;

import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract suite over one {@link Mutant}. Launched by {@link ContractSuiteBitesTest}, never by
 * surefire itself (no {@code Test} in the name: these are meant to fail).
 */
abstract class MutantContract extends CheckpointStorageContract {
    @TempDir
    static Path root;

    private final Mutant mutant;

    MutantContract(Mutant mutant) {
        this.mutant = mutant;
    }

    @Override
    protected CheckpointStorageFactory factory() {
        return new MutantStorage.Factory();
    }

    @Override
    protected Map<String, String> pluginConfig(String namespace) {
        return Map.of("directory", root.resolve(namespace).toString(), "mutant", mutant.name());
    }

    /** The contract class of {@code mutant}. */
    static Class<? extends MutantContract> of(Mutant mutant) {
        return switch (mutant) {
            case CORRECT -> Correct.class;
            case REPLACE_BY_DELETE_THEN_WRITE -> ReplaceByDeleteThenWrite.class;
            case REPLACE_BY_DELETE_THEN_RENAME -> ReplaceByDeleteThenRename.class;
            case NEW_IDS_WRITTEN_IN_PLACE -> NewIdsWrittenInPlace.class;
            case TEMP_FILES_LISTED -> TempFilesListed.class;
            case LOAD_BY_RANGES -> LoadByRanges.class;
            case JOB_DELETE_BY_PREFIX -> JobDeleteByPrefix.class;
            case PIPELINE_DELETE_BY_PREFIX -> PipelineDeleteByPrefix.class;
            case ID_DELETE_BY_PREFIX -> IdDeleteByPrefix.class;
            case INDEX_PER_INSTANCE -> IndexPerInstance.class;
            case LIST_ONE_PAGE -> ListOnePage.class;
        };
    }

    static final class IndexPerInstance extends MutantContract {
        IndexPerInstance() {
            super(Mutant.INDEX_PER_INSTANCE);
        }
    }

    static final class ListOnePage extends MutantContract {
        ListOnePage() {
            super(Mutant.LIST_ONE_PAGE);
        }
    }

    static final class Correct extends MutantContract {
        Correct() {
            super(Mutant.CORRECT);
        }
    }

    static final class ReplaceByDeleteThenWrite extends MutantContract {
        ReplaceByDeleteThenWrite() {
            super(Mutant.REPLACE_BY_DELETE_THEN_WRITE);
        }
    }

    static final class ReplaceByDeleteThenRename extends MutantContract {
        ReplaceByDeleteThenRename() {
            super(Mutant.REPLACE_BY_DELETE_THEN_RENAME);
        }
    }

    static final class NewIdsWrittenInPlace extends MutantContract {
        NewIdsWrittenInPlace() {
            super(Mutant.NEW_IDS_WRITTEN_IN_PLACE);
        }
    }

    static final class TempFilesListed extends MutantContract {
        TempFilesListed() {
            super(Mutant.TEMP_FILES_LISTED);
        }
    }

    static final class LoadByRanges extends MutantContract {
        LoadByRanges() {
            super(Mutant.LOAD_BY_RANGES);
        }
    }

    static final class JobDeleteByPrefix extends MutantContract {
        JobDeleteByPrefix() {
            super(Mutant.JOB_DELETE_BY_PREFIX);
        }
    }

    static final class PipelineDeleteByPrefix extends MutantContract {
        PipelineDeleteByPrefix() {
            super(Mutant.PIPELINE_DELETE_BY_PREFIX);
        }
    }

    static final class IdDeleteByPrefix extends MutantContract {
        IdDeleteByPrefix() {
            super(Mutant.ID_DELETE_BY_PREFIX);
        }
    }
}
