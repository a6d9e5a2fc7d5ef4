package dev.cairn.checkpoint.storage.api;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which configuration keys hold secrets, so that their values are shown as {@value #MASK} in
 * logs, messages, {@code toString} and command output. One rule for the engine and every plugin.
 *
 * <p>A key is secret when its name contains {@code secret}, {@code password}, {@code passwd},
 * {@code token}, {@code credential}, {@code access.key}, {@code accesskey} or {@code session},
 * in any case, unless it names a class ({@code ...provider}, {@code ...class}, {@code ...impl}):
 * {@code fs.s3a.secret.key}, {@code fs.oss.accessKeySecret}, {@code fs.s3a.access.key}, {@code
 * fs.oss.securityToken} are secret; {@code fs.s3a.aws.credentials.provider} is not.
 */
public final class SecretKeys {
    /** What is shown in place of a secret value. */
    public static final String MASK = "******";

    private static final Pattern SECRET =
            Pattern.compile(".*(secret|password|passwd|token|credential|access[._-]?key|session).*");
    private static final Pattern CLASS_NAME = Pattern.compile(".*(provider|providers|class|impl)");

    private SecretKeys() {}

    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SECRET.matcher(k).matches() && !CLASS_NAME.matcher(k).matches();
    }

    /** The value as it may be shown: quoted, or {@value #MASK} for a secret key. */
    public static String displayValue(String key, String value) {
        if (isSecret(key)) {
            return MASK;
        }
        return value == null ? "nothing" : '"' + value + '"';
    }
}
