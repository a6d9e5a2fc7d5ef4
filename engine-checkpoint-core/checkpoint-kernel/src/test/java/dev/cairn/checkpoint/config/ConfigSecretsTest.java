package dev.cairn.checkpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Problems with a secret's value never show it, however the value is malformed: YAML reads an
 * unquoted value that starts with {@code !}, {@code !!}, {@code *} or {@code &} as a tag, an alias
 * or an anchor, and the problem would otherwise quote it; text between {@code ${} and {@code }} is
 * quoted back as an environment variable name. (Found by {@code SecretsIT}.)
 */
class ConfigSecretsTest {
    private static final String SECRET = "Wq9secretValue42";
    private static final String HEAD =
            "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        plugin-config:\n"
                    + "          storage.type: s3\n          s3.bucket: my-bucket\n";

    private final ConfigLoader loader =
            new ConfigLoader(Map.of("SET", "x")::get, getClass().getClassLoader());

    private List<String> problems(String line) {
        List<String> problems = assertThrows(
                        ConfigException.class, () -> loader.parse(HEAD + "          " + line + "\n", "test.yaml"))
                .problems();
        assertFalse(problems.toString().contains(SECRET), problems.toString());
        return problems;
    }

    @Test
    void secretReadAsATag_isNotShown() {
        assertEquals(
                List.of("seatunnel.engine.checkpoint.storage.plugin-config.fs.s3a.secret.key: must not carry a YAML"
                        + " tag (not shown: the key holds a secret); quote a value that starts with ! (line 8)"),
                problems("fs.s3a.secret.key: !" + SECRET));
    }

    @Test
    void tagOfAKeyThatIsNoSecret_isStillShown() {
        List<String> problems = assertThrows(
                        ConfigException.class,
                        () -> loader.parse(HEAD + "          fs.s3a.endpoint: !custom x\n", "test.yaml"))
                .problems();
        assertEquals(
                List.of("seatunnel.engine.checkpoint.storage.plugin-config.fs.s3a.endpoint: must not carry the YAML"
                        + " tag !custom (line 8)"),
                problems);
    }

    @Test
    void secretReadAsAGlobalTag_anAlias_orATagHandle_isNotShown() {
        assertEquals(
                List.of("test.yaml: YAML syntax error at line 8, column 30: found undefined alias (not shown)"),
                problems("fs.s3a.secret.key: *" + SECRET));
        assertTrue(
                problems("fs.s3a.secret.key: !!" + SECRET).get(0).contains("Global tag is not allowed: (not shown)"));
        assertTrue(
                problems("fs.s3a.secret.key: !a!" + SECRET).get(0).contains("found undefined tag handle (not shown)"));
    }

    @Test
    void secretWithABadHexEscape_isNotShown() {
        // The parser quotes the characters after \\x, \\u or \\U: up to eight of the secret.
        for (String escape : List.of("\\x", "\\u", "\\U")) {
            List<String> problems = problems("fs.s3a.secret.key: \"" + escape + SECRET + "\"");
            assertTrue(problems.get(0).contains("hexadecimal numbers, but found: (not shown)"), problems.toString());
            assertFalse(problems.get(0).contains(SECRET.substring(0, 2)), problems.toString());
        }
    }

    @Test
    void secretWithBracesAfterADollar_isNotShown() {
        assertEquals(
                List.of("seatunnel.engine.checkpoint.storage.plugin-config.fs.s3a.secret.key: refers to an invalid"
                        + " environment variable name (not shown: the key holds a secret) (line 8)"),
                problems("fs.s3a.secret.key: 'ab${" + SECRET + " x}cd'"));
        // A key that is no secret still names what it could not read.
        List<String> plain = assertThrows(
                        ConfigException.class,
                        () -> loader.parse(HEAD + "          fs.s3a.endpoint: ${not a name}\n", "test.yaml"))
                .problems();
        assertEquals(
                List.of("seatunnel.engine.checkpoint.storage.plugin-config.fs.s3a.endpoint: refers to an invalid"
                        + " environment variable name ${not a name} (line 8)"),
                plain);
    }
}
