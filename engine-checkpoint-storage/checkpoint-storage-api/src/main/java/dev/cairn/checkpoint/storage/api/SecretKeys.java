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
 * <p>Every prefix form is covered: s3a's per-bucket keys ({@code fs.s3a.bucket.NAME.secret.key}),
 * the plugin's {@code seatunnel.hadoop.} prefix.
 *
 * <p>The rule fails safe: a key that has a secret word anywhere else ({@code
 * fs.s3a.bucket.b.secret.keys}, a misspelling; {@code fs.cosn.userinfo.secretId}; the Azure
 * account key {@code fs.azure.account.key.ACCOUNT.dfs.core.windows.net}) is a secret too, unless
 * its last word says plainly what else the value is: {@code fs.s3a.aws.credentials.provider} and
 * {@code fs.s3a.aws.credentials.provider.mapping} (class names), {@code
 * fs.s3a.security.credential.provider.path} (a path), {@code fs.s3a.delegation.token.binding} (a
 * class name), {@code dfs.block.access.token.enable}, {@code
 * hadoop.security.group.mapping.ldap.bind.password.file} (a path: protect the file itself). Keys
 * with no secret word are not secrets: {@code fs.s3a.assumed.role.session.name}, {@code
 * fs.s3a.encryption.algorithm}, {@code kerberosKeytab}.
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
    private static final Set<String> SECRET_KEY_KINDS =
            Set.of("access", "secret", "encryption", "private", "api", "account");
    /** Last words that say the value is not a secret, whatever words come before them. */
    private static final Set<String> HARMLESS_LAST_WORDS = Set.of(
            "provider",
            "providers",
            "mapping",
            "binding",
            "path",
            "file",
            "class",
            "impl",
            "type",
            "name",
            "algorithm",
            "enable",
            "enabled",
            "lifetime",
            "duration",
            "timeout",
            "interval",
            "ms",
            "seconds",
            "epoch");

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
        if (namesSecret(words, last)) {
            return true;
        }
        // Fail safe: a secret word anywhere (fs.s3a.bucket.b.secret.keys, a misspelt key; the
        // Azure account key, followed by the account's host name) masks the value, unless the
        // last word says plainly that the value is something else.
        if (HARMLESS_LAST_WORDS.contains(words.get(last))) {
            return false;
        }
        for (int i = 0; i < last; i++) {
            if (namesSecret(words, i)) {
                return true;
            }
        }
        return false;
    }

    /** Whether word {@code at}, with the words before it, names a secret. */
    private static boolean namesSecret(List<String> words, int at) {
        String word = words.get(at);
        // accessKeyId, access.key.id: the id of a key pair counts as the key.
        if (word.equals("id") && at > 0 && words.get(at - 1).equals("key")) {
            at--;
            word = "key";
        } else if (word.endsWith("keyid") && word.length() > "keyid".length()) {
            word = word.substring(0, word.length() - "id".length());
        } else if (word.endsWith("secretid")) {
            return true;
        }
        for (String noun : SECRET_NOUNS) {
            if (word.endsWith(noun)) {
                return true;
            }
        }
        if (word.equals("key")) {
            return at > 0 && SECRET_KEY_KINDS.contains(words.get(at - 1));
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
