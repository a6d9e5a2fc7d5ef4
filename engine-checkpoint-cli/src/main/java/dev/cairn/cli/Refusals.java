package dev.cairn.cli;

import dev.cairn.checkpoint.api.CairnException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** What the command line makes of a refusal: decided by its reason, never by its words. */
final class Refusals {
    private Refusals() {}

    /** The exit status for a refusal: 2 if the user's input is at fault, else 1. */
    static int status(CairnException.Reason reason) {
        return switch (reason) {
            case UNKNOWN_JOB_TYPE, INVALID_JOB -> Cairn.EXIT_INVALID;
            default -> Cairn.EXIT_FAILED;
        };
    }

    static CliException toCli(CairnException e) {
        return new CliException(status(e.reason()), e.getMessage());
    }

    /** Waits for a request's answer; a refusal ends the command. */
    static <T> T await(Future<T> answer) throws InterruptedException {
        try {
            return answer.get();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    static RuntimeException rethrow(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof CairnException refused) {
            return toCli(refused);
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }
}
