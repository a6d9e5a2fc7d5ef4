package dev.cairn.checkpoint.cluster.internal.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The checkpoint page's files, read from the jar once: a fixed list, looked up by exact name, so no
 * request can name anything else (no path is ever resolved). Nothing comes from another site.
 */
final class WebAssets {
    /** A file of the page: its bytes and content type. */
    record Asset(byte[] body, String contentType) {}

    private static final String DIR = "assets/";
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "cairn.js", "text/javascript; charset=utf-8",
            "cairn.css", "text/css; charset=utf-8");

    private final Map<String, Asset> assets;

    WebAssets() {
        Map<String, Asset> loaded = new java.util.HashMap<>();
        TYPES.forEach((name, type) -> loaded.put(name, new Asset(read(name), type)));
        this.assets = Map.copyOf(loaded);
    }

    private static byte[] read(String name) {
        try (InputStream in = WebAssets.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + DIR + name + " beside " + WebAssets.class);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file called exactly {@code name} ({@code ""} is the page itself), if it is one of the page's. */
    Optional<Asset> get(String name) {
        return Optional.ofNullable(assets.get(name.isEmpty() ? "index.html" : name));
    }
}
