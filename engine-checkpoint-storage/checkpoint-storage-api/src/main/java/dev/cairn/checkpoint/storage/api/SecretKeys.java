package dev.cairn.checkpoint.storage.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which configuration keys hold secrets, so that their values are shown as {@value #MASK} in
 * logs, messages, {@code toString} and command output. One rule for the engine and every plugin.
 *
 * <p>A key names a secret when its <em>last</em> word names one: the value of a key is what its
 * final word says it is ({@code ...password} is a password, {@code ...provider} a class name,
 * {@code ...path} a path). The key is split into words at {@code .}, {@code _}, {@code -} and
 * lower-to-upper case changes ({@code accessKeySecret} is {@code access key secret}); case is
 * ignored. It is secret when
 *
 * <ul>
 *   <li>the last word is, or ends with, {@code secret}, {@code password}, {@code passwd}, {@code
 *       passphrase}, {@code token}, {@code credential} or {@code credentials} ({@code
 *       fs.s3a.session.token}, {@code fs.oss.accessKeySecret}, {@code fs.oss.securityToken},
 *       {@code fs.s3a.proxy.password}, {@code ssl.server.keystore.keypassword});
 *   <li>the last word is {@code key} after {@code access}, {@code secret}, {@code encryption},
 *       {@code private} or {@code api}, or one of these words joined to {@code key} ({@code
 *       fs.s3a.access.key}, {@code fs.s3a.secret.key}, the SSE-C key {@code fs.s3a.encryption.key}
 *       and its older name {@code fs.s3a.server-side-encryption.key}, {@code apikey});
 *   <li>a key of that kind is followed by {@code id}: {@code fs.oss.accessKeyId} (the id half of a
 *       key pair is masked with the rest).
 * </ul>
 *
 * <p>A last word that only says how the value is written ({@code value}, {@code b64}, {@code
 * base64}, {@code encoded}) is looked through: {@code db.password.value} is a password.
 *
 * <p>Since only the end of the key counts, every prefix form is covered too: s3a's per-bucket keys
 * ({@code fs.s3a.bucket.NAME.secret.key}), the plugin's {@code seatunnel.hadoop.} prefix. And keys
 * that merely mention a secret word are not secrets: {@code fs.s3a.aws.credentials.provider} and
 * {@code fs.s3a.aws.credentials.provider.mapping} (class names), {@code
 * fs.s3a.security.credential.provider.path} (a path), {@code fs.s3a.delegation.token.binding} (a
 * class name), {@code fs.s3a.assumed.role.session.name}, {@code dfs.block.access.token.enable},
 * {@code fs.s3a.encryption.algorithm}, {@code kerberosKeytab} (a path: protect the file itself).
 */
public final class SecretKeys {
    /** What is shown in place of a secret value. */
    public static final String MASK = "******";

    /** A last word that is, or ends with, one of these names a secret. */
    private static final List<String> SECRET_NOUNS =
            List.of("secret", "password", "passwd", "passphrase", "token", "credential", "credentials");
    /** Last words that say how a value is written, not what it is: looked through. */
    private static final Set<String> ENCODINGS = Set.of("value", "b64", "base64", "encoded");
    /** {@code key} after one of these (or joined to it) names a secret key. */
    private static final Set<String> SECRET_KEY_KINDS = Set.of("access", "secret", "encryption", "private", "api");

    private SecretKeys() {}

    public static boolean isSecret(String key) {
        if (key == null) {
            return false;
        }
        List<String> words = words(key);
        if (words.isEmpty()) {
            return false;
        }
        int last = words.size() - 1;
        // my.password.value, some.secret.base64: a trailing word saying how the value is written.
        while (last > 0 && ENCODINGS.contains(words.get(last))) {
            last--;
        }
        String word = words.get(last);
        // accessKeyId, access.key.id: the id of a key pair counts as the key.
        if (word.equals("id") && last > 0 && words.get(last - 1).equals("key")) {
            last--;
            word = "key";
        } else if (word.endsWith("keyid") && word.length() > "keyid".length()) {
            word = word.substring(0, word.length() - "id".length());
        }
        for (String noun : SECRET_NOUNS) {
            if (word.endsWith(noun)) {
                return true;
            }
        }
        if (word.equals("key")) {
            return last > 0 && SECRET_KEY_KINDS.contains(words.get(last - 1));
        }
        return word.endsWith("key") && SECRET_KEY_KINDS.contains(word.substring(0, word.length() - "key".length()));
    }

    /** The key's words, lower case: split at {@code . _ -}, white space and lower-to-upper changes. */
    private static List<String> words(String key) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char previous = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '.' || c == '_' || c == '-' || Character.isWhitespace(c)) {
                flush(word, words);
            } else {
                if (Character.isUpperCase(c) && (Character.isLowerCase(previous) || Character.isDigit(previous))) {
                    flush(word, words);
                }
                word.append(c);
            }
            previous = c;
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString().toLowerCase(Locale.ROOT));
            word.setLength(0);
        }
    }

    /** The value as it may be shown: quoted, or {@value #MASK} for a secret key. */
    public static String displayValue(String key, String value) {
        if (isSecret(key)) {
            return MASK;
        }
        return value == null ? "nothing" : '"' + value + '"';
    }
}
