package dev.cairn.checkpoint.cluster.internal.client;

import com.hazelcast.client.impl.protocol.AuthenticationStatus;
import com.hazelcast.client.impl.protocol.ClientMessage;
import com.hazelcast.client.impl.protocol.ClientMessageReader;
import com.hazelcast.client.impl.protocol.ClientMessageWriter;
import com.hazelcast.client.impl.protocol.codec.ClientAuthenticationCodec;
import com.hazelcast.instance.BuildInfoProvider;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.ClusterAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Asks each address, before a client connects, whether a cluster of that name answers there: so
 * that a wrong address or cluster name ends in one line saying which, at once, instead of a
 * Hazelcast client retrying for its whole connect timeout and logging every attempt. It speaks the
 * first step of Hazelcast's client protocol (authentication) and nothing else.
 */
final class ClusterProbe {
    private static final int CONNECT_MILLIS = 3_000;
    private static final int READ_MILLIS = 5_000;

    private ClusterProbe() {}

    /** What an address said. */
    enum Answer {
        ACCEPTED,
        NOTHING_LISTENS,
        NO_ANSWER,
        WRONG_CLUSTER_NAME,
        NOT_HAZELCAST,
        INCOMPATIBLE
    }

    /**
     * Returns if at least one address accepts the cluster name; else throws saying what each one
     * answered.
     */
    static void check(ClusterAddress cluster) {
        List<String> answers = new ArrayList<>();
        boolean wrongName = false;
        boolean incompatible = false;
        for (String member : cluster.members()) {
            int colon = member.lastIndexOf(':');
            String host = member.substring(0, colon);
            int port = Integer.parseInt(member.substring(colon + 1));
            Answer answer = ask(host, port, cluster.clusterName());
            switch (answer) {
                case ACCEPTED -> {
                    return;
                }
                case NOTHING_LISTENS -> answers.add("nothing listens at " + member);
                case NO_ANSWER -> answers.add(member + " does not answer");
                case WRONG_CLUSTER_NAME -> {
                    wrongName = true;
                    answers.add(
                            "the members at " + member + " refused the cluster name '" + cluster.clusterName() + "'");
                }
                case NOT_HAZELCAST -> {
                    incompatible = true;
                    answers.add("what listens at " + member + " is not a Cairn member");
                }
                case INCOMPATIBLE -> {
                    incompatible = true;
                    answers.add("the members at " + member + " run a Hazelcast this client cannot talk to");
                }
            }
        }
        String all = String.join("; ", answers);
        if (wrongName) {
            throw new CairnException(
                    CairnException.Reason.WRONG_CLUSTER_NAME,
                    all + ": give the members' cluster name with --cluster-name (it is hazelcast.cluster-name in"
                            + " their hazelcast.yaml)");
        }
        if (incompatible) {
            throw new CairnException(CairnException.Reason.INCOMPATIBLE_MEMBERS, all);
        }
        throw new CairnException(CairnException.Reason.UNREACHABLE, "cannot reach the cluster: " + all);
    }

    static Answer ask(String host, int port, String clusterName) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(host, port), CONNECT_MILLIS);
            } catch (SocketTimeoutException e) {
                return Answer.NO_ANSWER;
            } catch (IOException e) {
                return Answer.NOTHING_LISTENS;
            }
            socket.setSoTimeout(READ_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write("CP2".getBytes(StandardCharsets.US_ASCII)); // the client protocol's preamble
            ClientMessage request = ClientAuthenticationCodec.encodeRequest(
                    clusterName,
                    null,
                    null,
                    UUID.randomUUID(),
                    "JVM",
                    (byte) 1,
                    BuildInfoProvider.getBuildInfo().getVersion(),
                    "cairn-probe",
                    List.of(),
                    (byte) 0,
                    false);
            ByteBuffer frame = ByteBuffer.allocate(request.getBufferLength() + 64);
            if (!new ClientMessageWriter().writeTo(frame, request)) {
                return Answer.INCOMPATIBLE;
            }
            frame.flip();
            out.write(frame.array(), 0, frame.limit());
            out.flush();
            ClientMessage response = read(socket.getInputStream());
            if (response == null) {
                return Answer.NOT_HAZELCAST;
            }
            AuthenticationStatus status =
                    AuthenticationStatus.getById(ClientAuthenticationCodec.decodeResponse(response).status);
            return switch (status) {
                case AUTHENTICATED -> Answer.ACCEPTED;
                case CREDENTIALS_FAILED -> Answer.WRONG_CLUSTER_NAME;
                default -> Answer.INCOMPATIBLE;
            };
        } catch (SocketTimeoutException e) {
            return Answer.NO_ANSWER;
        } catch (IOException | RuntimeException e) {
            return Answer.NOT_HAZELCAST; // it hung up, or answered what does not decode
        }
    }

    /** The first message on the stream, or null if it closes first. */
    private static ClientMessage read(InputStream in) throws IOException {
        ClientMessageReader reader = new ClientMessageReader(1 << 20);
        byte[] chunk = new byte[8192];
        while (true) {
            int n = in.read(chunk);
            if (n < 0) {
                return null;
            }
            if (reader.readFrom(ByteBuffer.wrap(chunk, 0, n), true)) {
                return reader.getClientMessage();
            }
        }
    }
}
