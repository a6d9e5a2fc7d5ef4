package dev.cairn.checkpoint.api.config;

import dev.cairn.checkpoint.storage.api.SecretKeys;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code seatunnel.engine.checkpoint.storage}.
 *
 * @param type the storage plugin's {@code factoryIdentifier()}
 * @param maxRetained how many completed checkpoints per pipeline stay in storage after a flush
 * @param callTimeout how long one call to the storage may take before it counts as failed (and
 *     is retried); the call itself is interrupted and left to end on its own
 * @param pluginConfig the {@code plugin-config} section as given ({@code ${ENV}} resolved), in
 *     file order; never shown with its secrets: see {@link #toString()}
 */
public record StorageConfig(String type, int maxRetained, Map<String, String> pluginConfig, Duration callTimeout) {

    public StorageConfig {
        pluginConfig = Collections.unmodifiableMap(new LinkedHashMap<>(pluginConfig));
    }

    /** With the default {@code call-timeout}. */
    public StorageConfig(String type, int maxRetained, Map<String, String> pluginConfig) {
        this(type, maxRetained, pluginConfig, ConfigCatalogue.STORAGE_CALL_TIMEOUT);
    }

    /** The plugin-config with every secret value replaced by {@value SecretKeys#MASK}. */
    public Map<String, String> maskedPluginConfig() {
        return pluginConfig.entrySet().stream()
                .collect(Collectors.toMap(
                        Map.Entry::getKey,
                        e -> SecretKeys.isSecret(e.getKey()) ? SecretKeys.MASK : e.getValue(),
                        (a, b) -> a,
                        LinkedHashMap::new));
    }

    @Override
    public String toString() {
        return "StorageConfig[type=" + type + ", maxRetained=" + maxRetained + ", pluginConfig=" + maskedPluginConfig()
                + ", callTimeout=" + callTimeout + "]";
    }
}
