import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Writes NOTICE into an assembled distribution folder: every jar in lib/ and plugins/NAME/, with
 * its Maven coordinates and the licences its POM declares, following the POM's parents in the local
 * repository when the POM itself declares none. Run at build time by the exec plugin:
 * {@code java ThirdPartyNotice.java DIST_FOLDER LOCAL_REPOSITORY}.
 *
 * <p>It lists what the POMs say, no more: a jar whose POM chain declares no licence is listed as
 * such, not guessed.
 */
public final class ThirdPartyNotice {
    record Coordinates(String group, String artifact, String version) {
        @Override
        public String toString() {
            return group + ":" + artifact + ":" + version;
        }
    }

    public static void main(String[] args) throws Exception {
        Path dist = Path.of(args[0]);
        Path repository = Path.of(args[1]);
        List<Path> folders = new ArrayList<>();
        folders.add(dist.resolve("lib"));
        try (Stream<Path> plugins = Files.list(dist.resolve("plugins"))) {
            plugins.filter(Files::isDirectory).sorted().forEach(folders::add);
        }
        Map<String, Integer> byLicence = new TreeMap<>();
        StringBuilder body = new StringBuilder();
        int jars = 0;
        for (Path folder : folders) {
            body.append('\n').append(dist.relativize(folder)).append("/\n");
            List<Path> inFolder;
            try (Stream<Path> files = Files.list(folder)) {
                inFolder = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
            }
            for (Path jar : inFolder) {
                Optional<Coordinates> coordinates = coordinates(jar).or(() -> inRepository(repository, jar));
                if (coordinates.isPresent() && coordinates.get().group().equals("dev.cairn")) {
                    continue; // Cairn's own
                }
                jars++;
                Set<String> licences = coordinates
                        .map(c -> licences(repository, c, 0))
                        .orElse(Set.of());
                String licence = licences.isEmpty()
                        ? "no licence declared in its POM" + coordinates.map(c -> "").orElse(" (no Maven metadata in the jar)")
                        : String.join("; ", licences);
                for (String l : licences.isEmpty() ? Set.of("(none declared)") : licences) {
                    byLicence.merge(l.replaceAll(" <.*>$", ""), 1, Integer::sum);
                }
                body.append("  ").append(jar.getFileName());
                coordinates.ifPresent(c -> body.append("  ").append(c));
                body.append("\n      ").append(licence).append('\n');
            }
        }
        StringBuilder notice = new StringBuilder();
        notice.append("Cairn distribution: bundled third-party software\n\n")
                .append("Every jar in lib/ and plugins/ that is not Cairn's own (")
                .append(jars)
                .append(" jars), with its Maven coordinates and the licences its POM (or\n")
                .append("the nearest parent POM that declares any) names. Generated from the jars and the POMs in the\n")
                .append("build's Maven repository when this distribution was built; nothing here is edited by hand.\n")
                .append("The licence texts are at the addresses given, and most jars carry theirs, with their own\n")
                .append("notices, under META-INF/.\n\nLicences, and how many jars name each:\n");
        byLicence.forEach((licence, count) -> notice.append(String.format("  %4d  %s%n", count, licence)));
        notice.append(body);
        Files.writeString(dist.resolve("NOTICE"), notice.toString(), StandardCharsets.UTF_8);
        System.out.println("NOTICE: " + jars + " third-party jars, " + byLicence.size() + " licences");
    }

    /** From META-INF/maven/G/A/pom.properties: the entry whose artifact the file is named after. */
    static Optional<Coordinates> coordinates(Path jar) throws IOException {
        String file = jar.getFileName().toString();
        List<Coordinates> found = new ArrayList<>();
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = jarFile.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().startsWith("META-INF/maven/") && entry.getName().endsWith("/pom.properties")) {
                    Properties p = new Properties();
                    try (InputStream in = jarFile.getInputStream(entry)) {
                        p.load(in);
                    }
                    found.add(new Coordinates(
                            p.getProperty("groupId"), p.getProperty("artifactId"), p.getProperty("version")));
                }
            }
        }
        return found.stream()
                .filter(c -> file.startsWith(c.artifact() + "-" + c.version()))
                .findFirst()
                .or(() -> found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty());
    }

    /**
     * For a jar without Maven metadata: the coordinates of the file of the same name and size in
     * the local repository, where the build took it from.
     */
    static Optional<Coordinates> inRepository(Path repository, Path jar) {
        String name = jar.getFileName().toString();
        try (Stream<Path> files = Files.walk(repository)) {
            long size = Files.size(jar);
            return files.filter(f -> f.getFileName().toString().equals(name))
                    .filter(f -> {
                        try {
                            return Files.size(f) == size;
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .findFirst()
                    .map(f -> {
                        Path versionDir = repository.relativize(f).getParent();
                        Path artifactDir = versionDir.getParent();
                        return new Coordinates(
                                artifactDir.getParent().toString().replace('/', '.'),
                                artifactDir.getFileName().toString(),
                                versionDir.getFileName().toString());
                    });
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Set<String> licences(Path repository, Coordinates c, int depth) {
        Path pom = repository
                .resolve(c.group().replace('.', '/'))
                .resolve(c.artifact())
                .resolve(c.version())
                .resolve(c.artifact() + "-" + c.version() + ".pom");
        if (depth > 10 || !Files.isRegularFile(pom)) {
            return Set.of();
        }
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setExpandEntityReferences(false);
            Document doc = factory.newDocumentBuilder().parse(pom.toFile());
            Element project = doc.getDocumentElement();
            Set<String> licences = new LinkedHashSet<>();
            Element list = child(project, "licenses");
            if (list != null) {
                for (Node n = list.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element licence && licence.getTagName().equals("license")) {
                        String name = text(licence, "name");
                        String url = text(licence, "url");
                        licences.add((name == null || name.isBlank() ? "(unnamed)" : name.strip().replaceAll("\\s+", " "))
                                + (url == null ? "" : " <" + url.strip() + ">"));
                    }
                }
            }
            if (!licences.isEmpty()) {
                return licences;
            }
            Element parent = child(project, "parent");
            if (parent == null) {
                return Set.of();
            }
            return licences(
                    repository,
                    new Coordinates(text(parent, "groupId"), text(parent, "artifactId"), text(parent, "version")),
                    depth + 1);
        } catch (Exception e) {
            return Set.of("POM unreadable: " + e.getMessage());
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().strip();
    }
}
