package dev.cairn.checkpoint.api.config;

/**
 * {@code seatunnel.engine.http}: the statistics endpoint each member can serve (JSON over HTTP).
 *
 * @param enabled {@code enable-http}; off unless asked for
 * @param host the address to bind; loopback unless configured otherwise
 * @param port the port; 0 picks a free one
 */
public record HttpConfig(boolean enabled, String host, int port) {}
