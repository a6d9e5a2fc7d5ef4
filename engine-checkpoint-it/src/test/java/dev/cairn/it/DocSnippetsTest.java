package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Code in the docs is copied from files the build compiles: each block that follows a {@code
 * <!-- snippet: PATH#TAG -->} marker must be, to the character, the text between {@code //
 * tag::TAG[]} and {@code // end::TAG[]} in that file (less its common indentation).
 */
class DocSnippetsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern SNIPPET =
            Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->\\s*\\n```\\w*\\n(.*?)\\n```", Pattern.DOTALL);

    @Test
    void everySnippetInTheDocs_isTheTextOfItsSource() throws IOException {
        List<String> checked = new ArrayList<>();
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).toList()) {
                Matcher m = SNIPPET.matcher(Files.readString(doc));
                while (m.find()) {
                    String where = ROOT.relativize(doc) + " snippet " + m.group(1) + "#" + m.group(2);
                    assertEquals(region(ROOT.resolve(m.group(1)), m.group(2)), m.group(3), where);
                    checked.add(where);
                }
            }
        }
        assertTrue(checked.size() >= 8, "snippets found: " + checked);
    }

    /** The lines between the tag's markers, less their common indentation. */
    static String region(Path file, String tag) throws IOException {
        List<String> lines = Files.readAllLines(file);
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.equals("// tag::" + tag + "[]")) {
                start = i + 1;
            } else if (line.equals("// end::" + tag + "[]")) {
                end = i;
            }
        }
        assertFalse(start < 0 || end < start, "tag " + tag + " in " + file);
        List<String> region = lines.subList(start, end);
        int indent = region.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        return String.join(
                "\n",
                region.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
    }
}
