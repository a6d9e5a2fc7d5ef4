package dev.cairn.checkpoint.config;

import dev.cairn.checkpoint.api.config.CheckpointConfig;
import dev.cairn.checkpoint.api.config.EngineConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Writes an {@link EngineConfig} back as {@code seatunnel.yaml}, every secret as {@code ******}. */
public final class ConfigPrinter {
    private ConfigPrinter() {}

    public static String toYaml(EngineConfig config) {
        CheckpointConfig c = config.checkpoint();
        Map<String, Object> storage = new LinkedHashMap<>();
        storage.put("type", c.storage().type());
        storage.put("max-retained", c.storage().maxRetained());
        storage.put("call-timeout", c.storage().callTimeout().toMillis());
        storage.put("plugin-config", c.storage().maskedPluginConfig());

        Map<String, Object> checkpoint = new LinkedHashMap<>();
        checkpoint.put("interval", c.interval().toMillis());
        checkpoint.put("timeout", c.timeout().toMillis());
        checkpoint.put("min-pause", c.minPause().toMillis());
        checkpoint.put("max-concurrent", c.maxConcurrent());
        checkpoint.put("tolerable-failures", c.tolerableFailures());
        checkpoint.put("commit-after", c.commitAfter().yamlName());
        checkpoint.put("corrupt-checkpoint", c.corruptCheckpoint().yamlName());
        checkpoint.put("inline-state-limit", c.inlineStateLimit());
        checkpoint.put("storage", storage);

        Map<String, Object> slots = new LinkedHashMap<>();
        slots.put("dynamic-slot", config.slotService().dynamicSlot());
        slots.put("slot-num", config.slotService().slotNum());

        Map<String, Object> engine = new LinkedHashMap<>();
        engine.put("backup-count", config.backupCount());
        engine.put("queue-type", config.queueType().yamlName());
        engine.put(
                "print-execution-info-interval",
                config.printExecutionInfoInterval().toSeconds());
        engine.put("slot-service", slots);
        engine.put("quorum-size", config.quorumSizeText());
        engine.put("orphan-task-timeout", config.orphanTaskTimeout().toMillis());
        Map<String, Object> restart = new LinkedHashMap<>();
        restart.put("strategy", config.restart().strategy().yamlName());
        restart.put("max-attempts", config.restart().maxAttempts());
        restart.put("delay", config.restart().delay().toMillis());
        restart.put("max-delay", config.restart().maxDelay().toMillis());
        engine.put("restart", restart);
        engine.put("checkpoint", checkpoint);
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("enable-http", config.http().enabled());
        http.put("host", config.http().host());
        http.put("port", config.http().port());
        engine.put("http", http);

        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(200);
        return new Yaml(options).dump(Map.of("seatunnel", Map.of("engine", engine)));
    }
}
