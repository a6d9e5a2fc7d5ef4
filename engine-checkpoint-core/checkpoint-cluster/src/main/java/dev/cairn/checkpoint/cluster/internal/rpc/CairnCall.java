package dev.cairn.checkpoint.cluster.internal.rpc;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * The one thing Cairn sends through Hazelcast's executor: a Kryo-encoded {@link Messages message},
 * run on the target member by its {@link MessageHandler} (its Cairn node), which answers with an encoded reply. Being
 * {@link IdentifiedDataSerializable}, it is created by {@link Factory} from ids, never by Java
 * deserialization.
 */
public final class CairnCall implements Callable<byte[]>, IdentifiedDataSerializable, HazelcastInstanceAware {
    public static final int FACTORY_ID = 7411;
    /** The Hazelcast executor that runs the calls. */
    public static final String EXECUTOR = "cairn";

    static final int CLASS_ID = 1;

    private byte[] payload;
    private transient HazelcastInstance hazelcast;

    public CairnCall() {}

    public CairnCall(Object message) {
        this.payload = MessageKryo.encode(message);
    }

    @Override
    public byte[] call() {
        Object message = MessageKryo.decode(payload);
        Object reply = MessageHandler.of(hazelcast).handle(message);
        return MessageKryo.encode(reply == null ? Messages.Reply.OK : reply);
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.hazelcast = hazelcastInstance;
    }

    @Override
    public int getFactoryId() {
        return FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByteArray(payload);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        payload = in.readByteArray();
    }

    /** Registered in member and client configs under {@link #FACTORY_ID}. */
    public static final class Factory implements DataSerializableFactory {
        @Override
        public IdentifiedDataSerializable create(int typeId) {
            return typeId == CLASS_ID ? new CairnCall() : null;
        }
    }
}
