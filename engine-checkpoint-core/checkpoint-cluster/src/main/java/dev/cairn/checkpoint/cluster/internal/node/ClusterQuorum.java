package dev.cairn.checkpoint.cluster.internal.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.cairn.checkpoint.api.config.EngineConfig;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this member's side of the cluster may run jobs: split-brain protection. A master runs,
 * takes over or restarts jobs only while its side has {@code quorum-size} members, by default more
 * than half of the members the cluster is expected to have. Two sides of a partition can never
 * both have a majority, so at most one runs a job; a side without one stops its jobs and tasks and
 * waits for the partition to heal.
 *
 * <p><b>Expected size</b> ({@code quorum-size: auto}). The largest the cluster has been since this
 * member joined, lowered by one for each member that left in an orderly way ({@link
 * #announceLeaving}: {@code bin/cairn member} on SIGTERM, {@code CairnMember.close()}). A member
 * that crashed, or is cut off, still counts: from the inside, a partition looks like a crash.
 * Each member keeps its own count, so that both sides of a partition remember the size from before
 * it. A new member starts from the size of the cluster it joins.
 *
 * <p>Written on the node's membership thread; read from any thread.
 */
public final class ClusterQuorum {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterQuorum.class);
    /** Where members announce an orderly leave: {@code leaving/<member uuid>}. */
    public static final String MAP = "cairn.cluster";

    private static final long ANNOUNCEMENT_TTL_MINUTES = 60;

    private final HazelcastInstance hazelcast;
    private final int configured;
    private volatile int expected;

    public ClusterQuorum(HazelcastInstance hazelcast, EngineConfig config) {
        this.hazelcast = hazelcast;
        this.configured = config.quorumSize();
        this.expected = size();
    }

    int size() {
        return hazelcast.getCluster().getMembers().size();
    }

    /** The members the cluster is expected to have (see the class comment). */
    int expected() {
        return expected;
    }

    /** The members a side needs to run jobs. */
    int required() {
        return configured != EngineConfig.AUTO_QUORUM ? configured : expected / 2 + 1;
    }

    public boolean holds() {
        return size() >= required();
    }

    /** For people: "2 of 3 members (quorum 2)". */
    public String describe() {
        return size() + " of " + expected + " members (quorum " + required()
                + (configured == EngineConfig.AUTO_QUORUM ? ", a majority" : ", quorum-size") + ")";
    }

    public void memberAdded() {
        expected = Math.max(expected, size());
    }

    /** A member left: an orderly leave lowers the expected size, a crash or a partition does not. */
    public void memberRemoved(Member member) {
        boolean orderly;
        try {
            orderly = announcements().containsKey(key(member));
        } catch (RuntimeException e) {
            orderly = false; // the map cannot be read: count it as a crash, the safe side
        }
        if (orderly) {
            expected = Math.max(size(), expected - 1);
            LOG.info("Member {} left in an orderly way; the cluster is expected to have {} now", member, expected);
        }
        expected = Math.max(expected, size());
    }

    /** This member is about to leave in an orderly way: the others stop counting it. */
    public void announceLeaving() {
        try {
            announcements()
                    .set(
                            key(hazelcast.getCluster().getLocalMember()),
                            System.currentTimeMillis(),
                            ANNOUNCEMENT_TTL_MINUTES,
                            TimeUnit.MINUTES);
        } catch (RuntimeException e) {
            LOG.debug("Cannot announce this member's leave; the others will count it as lost", e);
        }
    }

    private IMap<String, Long> announcements() {
        return hazelcast.getMap(MAP);
    }

    private static String key(Member member) {
        return "leaving/" + member.getUuid();
    }
}
