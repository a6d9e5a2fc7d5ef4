package dev.cairn.checkpoint.io;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What an asynchronous call failed with, out of the wrappers futures put around it. */
public final class Failures {
    private Failures() {}

    /** {@code error} without its {@link CompletionException} and {@link ExecutionException} wrappers. */
    public static Throwable cause(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
