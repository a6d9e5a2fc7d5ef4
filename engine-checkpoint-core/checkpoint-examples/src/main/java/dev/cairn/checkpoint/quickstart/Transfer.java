package dev.cairn.checkpoint.quickstart;

/** A money transfer: what the quickstart job moves from its source to the ledger. */
public record Transfer(long id, String from, String to, long cents) {

    /** The ledger's line for it: {@code id,from,to,cents}. */
    public String line() {
        return id + "," + from + "," + to + "," + cents;
    }
}
