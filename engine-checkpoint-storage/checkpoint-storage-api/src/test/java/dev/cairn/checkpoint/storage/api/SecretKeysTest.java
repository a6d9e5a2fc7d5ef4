package dev.cairn.checkpoint.storage.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The secret-key rule, case by case: every key of Hadoop 3.4.1's s3a ({@code
 * org.apache.hadoop.fs.s3a.Constants}) and hadoop-aliyun ({@code
 * org.apache.hadoop.fs.aliyun.oss.Constants}) that holds a secret, in every form a user can write
 * it, and the keys that only mention a secret word.
 */
class SecretKeysTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                // s3a credentials
                "fs.s3a.access.key",
                "fs.s3a.secret.key",
                "fs.s3a.session.token",
                // s3a SSE-C / CSE key (a base64 AES key), under its current and its older name
                "fs.s3a.encryption.key",
                "fs.s3a.server-side-encryption.key",
                // s3a proxy
                "fs.s3a.proxy.password",
                // s3a per-bucket forms, also with a bucket name that has dots and words in it
                "fs.s3a.bucket.my-bucket.access.key",
                "fs.s3a.bucket.my-bucket.secret.key",
                "fs.s3a.bucket.my-bucket.session.token",
                "fs.s3a.bucket.my-bucket.encryption.key",
                "fs.s3a.bucket.my-bucket.server-side-encryption.key",
                "fs.s3a.bucket.my-bucket.proxy.password",
                "fs.s3a.bucket.my.token.provider.bucket.secret.key",
                // hadoop-aliyun
                "fs.oss.accessKeyId",
                "fs.oss.accessKeySecret",
                "fs.oss.securityToken",
                "fs.oss.proxy.password",
                // through the plugin's prefix
                "seatunnel.hadoop.fs.s3a.secret.key",
                "seatunnel.hadoop.fs.s3a.bucket.b1.encryption.key",
                "seatunnel.hadoop.fs.oss.accessKeySecret",
                // case and separators do not matter
                "FS.S3A.SECRET.KEY",
                "fs.s3a.secret_key",
                "fs.s3a.secret-key",
                "fs.s3a.secretKey",
                "fs.oss.accesskeysecret",
                "fs.oss.accesskeyid",
                "fs.oss.access.key.id",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_ACCESS_KEY_ID",
                "AWS_SESSION_TOKEN",
                "fs.s3n.awsAccessKeyId",
                "fs.s3n.awsSecretAccessKey",
                // other Hadoop secrets a plugin-config might carry
                "ssl.server.keystore.password",
                "ssl.server.keystore.keypassword",
                "ssl.client.truststore.password",
                "hadoop.security.group.mapping.ldap.bind.password",
                "hadoop.http.authentication.signature.secret",
                "dfs.webhdfs.oauth2.refresh.token",
                "dfs.webhdfs.oauth2.credential",
                "fs.azure.account.oauth2.client.secret",
                "fs.gs.auth.service.account.private.key",
                "fs.gs.auth.service.account.private.key.id",
                "fs.swift.service.x.apikey",
                // generic names
                "password",
                "db.password",
                "db.passwd",
                "some.credential",
                "some.credentials",
                "ssh.passphrase",
                "api.key",
                "apiKey",
                // a last word that only says how the value is written
                "db.password.value",
                "some.secret.base64",
                "fs.s3a.encryption.key.b64",
                // a secret word before the last one: fail safe
                "fs.s3a.bucket.b.secret.keys",
                "fs.cosn.userinfo.secretId",
                "fs.cosn.userinfo.secretKey",
                "fs.azure.account.key.myaccount.dfs.core.windows.net",
                "fs.s3a.secret.key.old",
            })
    void secret(String key) {
        assertTrue(SecretKeys.isSecret(key), key);
        assertEquals(SecretKeys.MASK, SecretKeys.displayValue(key, "value"), key);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // class names, however many secret words they mention
                "fs.s3a.aws.credentials.provider",
                "fs.s3a.aws.credentials.provider.mapping",
                "fs.s3a.bucket.my-bucket.aws.credentials.provider",
                "fs.s3a.bucket.my-bucket.aws.credentials.provider.mapping",
                "fs.s3a.assumed.role.credentials.provider",
                "fs.s3a.delegation.token.binding",
                "fs.oss.credentials.provider",
                "fs.s3a.s3.client.factory.impl",
                "fs.s3a.http.signer.class",
                // paths to where secrets are kept: the file is protected, the path is not a secret
                "fs.s3a.security.credential.provider.path",
                "hadoop.security.credential.provider.path",
                "hadoop.security.credstore.java-keystore-provider.password-file",
                "hadoop.security.group.mapping.ldap.bind.password.file",
                "hadoop.http.authentication.signature.secret.file",
                "kerberosKeytab",
                "kerberosKeytabFilePath",
                "kerberosPrincipal",
                // settings about sessions, tokens and encryption, not secrets themselves
                "fs.s3a.assumed.role.session.name",
                "fs.s3a.assumed.role.session.duration",
                "fs.s3a.assumed.role.arn",
                "fs.s3a.assumed.role.external.id",
                "fs.s3a.s3express.create.session",
                "fs.s3a.encryption.algorithm",
                "fs.s3a.server-side-encryption-algorithm",
                "fs.oss.server-side-encryption-algorithm",
                "fs.s3a.s3guard.ddb.table.sse.cmk",
                "fs.s3a.failinject.inconsistency.key.substring",
                "dfs.block.access.token.enable",
                "dfs.block.access.token.lifetime",
                "dfs.webhdfs.oauth2.refresh.token.expires.ms.since.epoch",
                "fs.s3a.signing-algorithm",
                "fs.s3a.accesspoint.required",
                // everything else
                "fs.s3a.proxy.username",
                "fs.oss.proxy.username",
                "fs.s3a.endpoint",
                "fs.oss.endpoint",
                "namespace",
                "storage.type",
                "s3.bucket",
                "key",
                "monkey",
                "value",
                "some.value",
                "",
            })
    void notSecret(String key) {
        assertFalse(SecretKeys.isSecret(key), key);
        assertEquals("\"value\"", SecretKeys.displayValue(key, "value"), key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fs.s3a.secret.key", "namespace"})
    void nothing_isShownAsNothing_unlessSecret(String key) {
        assertEquals(SecretKeys.isSecret(key) ? SecretKeys.MASK : "nothing", SecretKeys.displayValue(key, null));
    }
}
