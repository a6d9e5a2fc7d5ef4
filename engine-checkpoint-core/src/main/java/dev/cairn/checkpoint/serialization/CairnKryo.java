package dev.cairn.checkpoint.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.Pool;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import java.util.function.Function;

/**
 * The one place Kryo is configured, with every class Cairn serializes and its registration id.
 *
 * <p>Registration is required: a blob or message can only name these classes, by id. A class name
 * in the input (Kryo's fallback for unregistered classes) is refused before it is even looked up,
 * so no class outside this list is ever loaded, let alone instantiated.
 *
 * <p><b>Ids are forever.</b> Snapshots written with an id must stay readable: never renumber or
 * reuse one; retire a class by leaving its id unused. Ids below 100 are Kryo's own (primitives,
 * String).
 */
public final class CairnKryo {
    /** {@link CompletedCheckpoint}: snapshot format version 1. */
    public static final int COMPLETED_CHECKPOINT = 100;

    private static final Pool<Kryo> POOL = new Pool<>(true, false, 32) {
        @Override
        protected Kryo create() {
            return newKryo();
        }
    };

    private CairnKryo() {}

    static Kryo newKryo() {
        Kryo kryo = new Kryo(new NoClassNames(), null);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        register(kryo, CompletedCheckpoint.class, new CompletedCheckpointSerializer(), COMPLETED_CHECKPOINT);
        return kryo;
    }

    private static <T> void register(Kryo kryo, Class<T> type, Serializer<T> serializer, int id) {
        kryo.register(type, serializer, id);
    }

    /**
     * Exactly the bytes {@code writeClassAndObject(checkpoint)} produces: the class id (varint of
     * id + 2, as Kryo writes it) and the fields.
     */
    public static int encodedSize(CompletedCheckpoint checkpoint) {
        return Output.varIntLength(COMPLETED_CHECKPOINT + 2, true) + CompletedCheckpointSerializer.size(checkpoint);
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
