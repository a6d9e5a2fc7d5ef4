package dev.cairn.checkpoint.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.ClusterAddress;
import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.config.EngineConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CairnEngine#connect} against a real member: it works, and each way it cannot work ends at
 * once in one refusal whose reason and message say which.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterConnectTest {
    @TempDir
    static Path dir;

    private static CairnMember member;
    private static String address;

    @BeforeAll
    static void start() throws IOException {
        int port = freePort();
        Config config = CairnMember.localConfig();
        config.setClusterName("connect-test");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        member = CairnMember.start(
                EngineConfig.builder()
                        .checkpointInterval(Duration.ofMillis(100))
                        .storage(
                                "localfile",
                                Map.of("namespace", dir.resolve("checkpoints").toString()))
                        .build(),
                config,
                ClusterConnectTest.class.getClassLoader());
        address = "127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() {
        member.close();
    }

    @Test
    void theRightNameAndAddress_connect_andRunAJob() throws Exception {
        try (CairnEngine engine = CairnEngine.connect(ClusterAddress.of("connect-test", address))) {
            JobResult end = engine.submit(LocalModeTest.demo("remote-1", 5_000, 2, 0, dir.resolve("remote-1")))
                    .result()
                    .get(60, TimeUnit.SECONDS);

            assertEquals(JobState.FINISHED, end.state(), end.status().message());
            assertEquals(5_000, end.status().recordsCommitted());
            assertTrue(engine.jobs().stream().anyMatch(j -> j.jobId().equals("remote-1")));
        }
    }

    @Test
    void aWrongClusterName_isSaid_withTheOptionToGiveTheRightOne() {
        CairnException e = refused(ClusterAddress.of("wrong-name", address));

        assertEquals(CairnException.Reason.WRONG_CLUSTER_NAME, e.reason());
        assertTrue(e.getMessage().contains("refused the cluster name 'wrong-name'"), e.getMessage());
        assertTrue(e.getMessage().contains("--cluster-name"), e.getMessage());
    }

    @Test
    void nothingListening_isSaid() throws IOException {
        String nobody = "127.0.0.1:" + freePort();

        CairnException e = refused(ClusterAddress.of("connect-test", nobody));

        assertEquals(CairnException.Reason.UNREACHABLE, e.reason());
        assertTrue(e.getMessage().contains("nothing listens at " + nobody), e.getMessage());
    }

    @Test
    void somethingElseListening_isNotTakenForAMember() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread closer = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
                } catch (IOException ignored) {
                    // the test is over
                }
            });
            closer.start();

            CairnException e = refused(ClusterAddress.of("connect-test", "127.0.0.1:" + server.getLocalPort()));

            assertEquals(CairnException.Reason.INCOMPATIBLE_MEMBERS, e.reason());
            assertTrue(e.getMessage().contains("is not a Cairn member"), e.getMessage());
        }
    }

    @Test
    void aHazelcastClusterWithoutCairn_isRefused() throws IOException {
        int port = freePort();
        Config plain = CairnMember.localConfig();
        plain.setClusterName("plain");
        plain.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        plain.setProperty("hazelcast.logging.type", "slf4j");
        HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(plain);
        try {
            CairnException e = refused(ClusterAddress.of("plain", "127.0.0.1:" + port));

            assertEquals(CairnException.Reason.INCOMPATIBLE_MEMBERS, e.reason());
            assertTrue(e.getMessage().contains("(no Cairn)"), e.getMessage());
        } finally {
            hazelcast.shutdown();
        }
    }

    @Test
    void aFollowedJobOfAClosedEngine_endsWithTheReason() throws Exception {
        CairnEngine engine = CairnEngine.connect(ClusterAddress.of("connect-test", address));
        var result = engine.submit(LocalModeTest.demo("remote-long", 10_000_000, 1, 1_000, dir.resolve("remote-long")))
                .result();
        engine.close();

        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
        assertEquals(CairnException.Reason.ENGINE_CLOSED, ((CairnException) e.getCause()).reason());
        try (CairnEngine again = CairnEngine.connect(ClusterAddress.of("connect-test", address))) {
            // The job runs on: closing a client is not cancelling its jobs.
            assertEquals(
                    JobState.RUNNING,
                    again.job(dev.cairn.checkpoint.storage.api.JobId.of("remote-long"))
                            .orElseThrow()
                            .status()
                            .orElseThrow()
                            .state());
            again.job(dev.cairn.checkpoint.storage.api.JobId.of("remote-long"))
                    .orElseThrow()
                    .cancel()
                    .get(60, TimeUnit.SECONDS);
        }
    }

    private static CairnException refused(ClusterAddress cluster) {
        long start = System.nanoTime();
        CairnException e = assertThrows(
                CairnException.class, () -> CairnEngine.connect(cluster).close());
        // Said at once, not after the client's whole connect timeout (30 s) of retries.
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 20, "took too long");
        return e;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
