package dev.cairn.checkpoint.storage.tck;

import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a JVM of its own opens the storage under test. The contract suite starts such a JVM, lets
 * it begin storing checkpoints, kills it midway (as {@code kill -9} would) and then checks that
 * nothing torn is visible: {@link CheckpointStorageContract#forkRecipe(Map)}.
 *
 * <p>The child JVM runs with the test JVM's class path ({@code java.class.path}), creates the
 * factory class by its public no-argument constructor (which every factory has, for {@link
 * java.util.ServiceLoader}) and calls {@link CheckpointStorageFactory#create} with the plugin
 * config. The config reaches the child through its standard input, never its command line, so
 * credentials do not show in a process listing. A backend started inside the test JVM (an HDFS
 * cluster, an S3 server) is reachable from the child over loopback with the same config.
 *
 * <p>Immutable.
 */
public final class ForkRecipe {
    private final String factoryClass;
    private final Map<String, String> pluginConfig;
    private final List<String> jvmOptions;
    private final String unsupportedReason;

    private ForkRecipe(
            String factoryClass, Map<String, String> pluginConfig, List<String> jvmOptions, String unsupportedReason) {
        this.factoryClass = factoryClass;
        this.pluginConfig = pluginConfig;
        this.jvmOptions = jvmOptions;
        this.unsupportedReason = unsupportedReason;
    }

    /**
     * A child that opens {@code factory} (by its public no-argument constructor) with {@code
     * pluginConfig}.
     */
    public static ForkRecipe of(Class<? extends CheckpointStorageFactory> factory, Map<String, String> pluginConfig) {
        return new ForkRecipe(factory.getName(), Map.copyOf(pluginConfig), List.of(), null);
    }

    /**
     * No child can open this backend. The suite reports the case that needs one as skipped (a
     * JUnit assumption), with {@code reason}, never as passed. Say why in {@code reason}: it is
     * what a reader of the test report sees.
     */
    public static ForkRecipe unsupported(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("an unsupported fork recipe must say why");
        }
        return new ForkRecipe(null, Map.of(), List.of(), reason);
    }

    /**
     * This recipe with {@code options} added to the child's JVM command line, e.g. {@code
     * -Djava.security.krb5.conf=/path/krb5.conf}. Do not put secrets here: a command line is
     * visible to every user of the machine.
     */
    public ForkRecipe withJvmOptions(String... options) {
        requireSupported();
        List<String> all = new ArrayList<>(jvmOptions);
        for (String option : options) {
            all.add(Objects.requireNonNull(option, "option"));
        }
        return new ForkRecipe(factoryClass, pluginConfig, List.copyOf(all), null);
    }

    /** Why no child can open this backend; empty if one can. */
    public Optional<String> unsupportedReason() {
        return Optional.ofNullable(unsupportedReason);
    }

    /** The factory class the child creates. */
    public String factoryClass() {
        requireSupported();
        return factoryClass;
    }

    /** The plugin config the child opens the storage with. */
    public Map<String, String> pluginConfig() {
        requireSupported();
        return pluginConfig;
    }

    /** Extra options for the child's JVM. */
    public List<String> jvmOptions() {
        requireSupported();
        return jvmOptions;
    }

    private void requireSupported() {
        if (unsupportedReason != null) {
            throw new IllegalStateException("no child JVM can open this storage: " + unsupportedReason);
        }
    }

    /** The factory and the options; never the plugin config, which may hold secrets. */
    @Override
    public String toString() {
        return unsupportedReason != null
                ? "ForkRecipe[unsupported: " + unsupportedReason + "]"
                : "ForkRecipe[" + factoryClass + (jvmOptions.isEmpty() ? "" : " " + jvmOptions) + "]";
    }
}
