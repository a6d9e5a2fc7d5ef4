package dev.cairn.cli;

import dev.cairn.checkpoint.plugins.Plugin;
import dev.cairn.checkpoint.plugins.Plugins;
import dev.cairn.checkpoint.runtime.JobDefinitions;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cairn plugins}: the plugin folders found, what each provides, and why any failed. */
@Command(
        name = "plugins",
        mixinStandardHelpOptions = true,
        description = {
            "Lists the plugins: each folder of the plugins directories (CAIRN_PLUGINS, else CAIRN_HOME/plugins),",
            "loaded by a class loader of its own, what it provides, and why a folder failed to load.",
            "Exit status: 0 if every folder loaded, 1 if any failed."
        })
final class PluginsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> roots = CliPlugins.roots();
        try (Plugins plugins = Plugins.load(roots, Cairn.class.getClassLoader())) {
            for (Path root : roots) {
                out.println("plugins directory " + root + (Files.isDirectory(root) ? "" : " (does not exist)"));
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "STATUS", "PROVIDES", "JARS", "FOLDER"});
            for (Plugin plugin : plugins.all()) {
                rows.add(new String[] {
                    plugin.name(),
                    plugin.status().name().toLowerCase(java.util.Locale.ROOT),
                    provides(plugin.storages(), plugin.jobs()),
                    Integer.toString(plugin.jars().size()),
                    plugin.folder().toString()
                });
            }
            print(out, rows, plugins);
            ClassLoader engine = Cairn.class.getClassLoader();
            out.println("built in: "
                    + provides(
                            CheckpointStorageFactories.identifiers(engine),
                            List.copyOf(new java.util.TreeSet<>(
                                    JobDefinitions.all(engine).keySet()))));
            long loaded = plugins.all().stream().filter(Plugin::loaded).count();
            int failed = plugins.failed().size();
            out.printf("%d loaded, %d failed%n", loaded, failed);
            out.flush();
            return failed == 0 ? 0 : Cairn.EXIT_FAILED;
        }
    }

    private static void print(PrintWriter out, List<String[]> rows, Plugins plugins) {
        int[] width = new int[4];
        for (String[] row : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            out.printf(
                    "%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %" + width[3] + "s  %s%n",
                    (Object[]) row);
            if (r > 0) {
                plugins.all().get(r - 1).problem().ifPresent(problem -> out.println("  " + problem));
            }
        }
    }

    private static String provides(List<String> storages, List<String> jobs) {
        List<String> parts = new ArrayList<>();
        if (!storages.isEmpty()) {
            parts.add("storage " + String.join(", ", storages));
        }
        if (!jobs.isEmpty()) {
            parts.add("job " + jobs.stream().collect(Collectors.joining(", ")));
        }
        return parts.isEmpty() ? "-" : String.join("; ", parts);
    }
}
