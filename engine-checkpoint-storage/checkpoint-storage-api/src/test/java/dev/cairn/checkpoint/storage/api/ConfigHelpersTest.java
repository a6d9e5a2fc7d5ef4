package dev.cairn.checkpoint.storage.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigHelpersTest {
    @Test
    void secretKeys_coverCredentialsButNotProviderClassNames() {
        for (String key : List.of(
                "fs.s3a.secret.key",
                "fs.s3a.access.key",
                "fs.oss.accessKeySecret",
                "fs.oss.accessKeyId",
                "fs.oss.securityToken",
                "fs.s3a.session.token",
                "db.password",
                "some.credential")) {
            assertTrue(SecretKeys.isSecret(key), key);
        }
        for (String key : List.of(
                "fs.s3a.aws.credentials.provider",
                "fs.oss.credentials.provider",
                "namespace",
                "kerberosKeytab",
                "fs.s3a.endpoint")) {
            assertFalse(SecretKeys.isSecret(key), key);
        }
        assertEquals("******", SecretKeys.displayValue("fs.s3a.secret.key", "abc"));
        assertEquals("\"abc\"", SecretKeys.displayValue("namespace", "abc"));
    }

    @Test
    void didYouMean_findsCloseNames_only() {
        List<String> known = List.of("namespace", "storage.type", "kerberosPrincipal");
        assertEquals(Optional.of("namespace"), DidYouMean.suggest("namespce", known));
        assertEquals(Optional.of("storage.type"), DidYouMean.suggest("storage_type", known));
        assertEquals(Optional.of("kerberosPrincipal"), DidYouMean.suggest("kerberos.principal", known));
        assertEquals(Optional.empty(), DidYouMean.suggest("K1", known));
        assertEquals(Optional.empty(), DidYouMean.suggest("bucket", known));
    }

    @Test
    void problems_maskSecrets() {
        assertEquals(
                "fs.s3a.secret.key: must not be blank, was ******",
                ConfigProblem.of("fs.s3a.secret.key", "must not be blank", " ").toString());
    }

    @Test
    void storageExceptions_nameWhatWasInvolved() {
        CheckpointStorageException e = CheckpointStorageException.of(
                "cannot store checkpoint",
                null,
                PipelineKey.of("j1", "p2"),
                CheckpointId.of(3),
                "/ns/j1/p2/x",
                new java.io.IOException("disk full"));
        assertEquals(
                "cannot store checkpoint (job j1, pipeline p2, checkpoint 3, path /ns/j1/p2/x): IOException: disk full",
                e.getMessage());
        assertEquals(
                "cannot list jobs",
                CheckpointStorageException.of("cannot list jobs", null, null, null, null, null)
                        .getMessage());
    }
}
