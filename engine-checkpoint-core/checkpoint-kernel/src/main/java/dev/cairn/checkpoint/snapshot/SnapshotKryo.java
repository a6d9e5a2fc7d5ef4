package dev.cairn.checkpoint.snapshot;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.Pool;
import java.util.function.Function;

/**
 * The Kryo of the stored snapshot format: the one registry whose ids are forever. It holds {@link
 * CompletedCheckpoint} alone (the cluster's messages have a registry of their own, free to change
 * between releases).
 *
 * <p>Registration is required: a blob can only name registered classes, by id. A class name in the
 * input (Kryo's fallback for unregistered classes) is refused before it is even looked up, so no
 * class outside this list is ever loaded, let alone instantiated.
 *
 * <p><b>Ids are forever.</b> Snapshots written with an id must stay readable: never renumber or
 * reuse one; retire a class by leaving its id unused. Ids below 100 are Kryo's own (primitives,
 * String).
 */
public final class SnapshotKryo {
    /** {@link CompletedCheckpoint}: snapshot format version 1. */
    public static final int COMPLETED_CHECKPOINT = 100;
    /**
     * A {@link CompletedCheckpoint} whose states may be {@link StateHandle}s: snapshot format
     * version 2. Written and read by {@link SnapshotCodec} with its own serializer, not through the
     * registry (one class has one registration); the id is reserved here so that nothing else takes it.
     */
    public static final int CHECKPOINT_MANIFEST = 101;

    private static final Pool<Kryo> POOL = new Pool<>(true, false, 32) {
        @Override
        protected Kryo create() {
            return newKryo();
        }
    };

    private SnapshotKryo() {}

    static Kryo newKryo() {
        Kryo kryo = strict();
        kryo.register(CompletedCheckpoint.class, CompletedCheckpointSerializer.CHECKPOINT, COMPLETED_CHECKPOINT);
        return kryo;
    }

    /**
     * A Kryo that requires registration, keeps no references, and refuses class names in its input:
     * what every Cairn registry starts from.
     */
    public static Kryo strict() {
        Kryo kryo = new Kryo(new NoClassNames(), null);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        return kryo;
    }

    /**
     * Exactly the bytes {@code writeClassAndObject(checkpoint)} produces: the class id (varint of
     * id + 2, as Kryo writes it) and the fields.
     */
    public static int encodedSize(CompletedCheckpoint checkpoint) {
        return Output.varIntLength(COMPLETED_CHECKPOINT + 2, true)
                + CompletedCheckpointSerializer.CHECKPOINT.size(checkpoint);
    }

    /** As {@link #encodedSize}, for the manifest (format 2) of {@code checkpoint}. */
    static int manifestSize(CompletedCheckpoint checkpoint) {
        return Output.varIntLength(CHECKPOINT_MANIFEST + 2, true)
                + CompletedCheckpointSerializer.MANIFEST.size(checkpoint);
    }

    /** Runs {@code work} with a pooled Kryo instance. */
    public static <T> T with(Function<Kryo, T> work) {
        Kryo kryo = POOL.obtain();
        try {
            return work.apply(kryo);
        } finally {
            POOL.free(kryo);
        }
    }

    /** Refuses class names in the input instead of loading the class they name. */
    private static final class NoClassNames extends DefaultClassResolver {
        @Override
        protected Registration readName(Input input) {
            throw new KryoException("class names are not accepted, only registered class ids");
        }
    }
}
