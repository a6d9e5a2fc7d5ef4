package dev.cairn.checkpoint.api;

/**
 * A request to the engine was refused or could not be carried out. {@link #reason()} says which
 * case it is, for code to decide on; the message says it for people (and never carries a secret).
 */
public class CairnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a request was refused. */
    public enum Reason {
        /** No job definition of that type on the members (see the plugins folder). */
        UNKNOWN_JOB_TYPE,
        /** The job's parameters are invalid; the message lists every problem. */
        INVALID_JOB,
        /** The job runs: it cannot be restored from a savepoint or checkpoint before it is cancelled. */
        JOB_RUNNING,
        /** The job does not run (it ended, or never ran): there is nothing to cancel or save. */
        JOB_NOT_RUNNING,
        /** The job's master moved to another member while the request ran: ask again. */
        JOB_MOVED,
        /** No savepoint was taken; the message says why. The job keeps running unless it ended. */
        SAVEPOINT_FAILED,
        /** This side of the cluster has no quorum: jobs run only on a side that has one. */
        NO_QUORUM,
        /** The member is shutting down; ask another one. */
        MEMBER_CLOSING,
        /** No answer within the deadline. */
        TIMEOUT,
        /** The cluster cannot be reached at the addresses given. */
        UNREACHABLE,
        /** Members answer at the addresses given, but under another cluster name. */
        WRONG_CLUSTER_NAME,
        /** The members run a Cairn this one cannot talk to (another version). */
        INCOMPATIBLE_MEMBERS,
        /** The caller's thread was interrupted. */
        INTERRUPTED,
        /** The engine was closed (by its owner) before the request could be answered. */
        ENGINE_CLOSED
    }

    private final Reason reason;

    public CairnException(Reason reason, String message) {
        this(reason, message, null);
    }

    public CairnException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
