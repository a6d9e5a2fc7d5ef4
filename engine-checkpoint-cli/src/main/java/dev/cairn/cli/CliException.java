package dev.cairn.cli;

/** Ends a command with a message for the user (no stack trace) and an exit status. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    CliException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
