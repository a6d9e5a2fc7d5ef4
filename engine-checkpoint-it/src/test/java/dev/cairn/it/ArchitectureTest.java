package dev.cairn.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module boundaries of the architecture, checked on the compiled classes. */
class ArchitectureTest {
    private static JavaClasses cairn;

    @BeforeAll
    static void importClasses() {
        cairn = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.cairn");
    }

    @Test
    void storageApi_dependsOnTheJdkAlone() {
        classes()
                .that()
                .resideInAPackage("dev.cairn.checkpoint.storage.api..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("dev.cairn.checkpoint.storage.api..", "java..")
                .check(cairn);
    }

    @Test
    void hdfsPlugin_dependsOnTheApiAndHadoop_only() {
        classes()
                .that()
                .resideInAPackage("dev.cairn.checkpoint.storage.hdfs..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "dev.cairn.checkpoint.storage.hdfs..",
                        "dev.cairn.checkpoint.storage.api..",
                        "java..",
                        "org.apache.hadoop..",
                        "org.slf4j..")
                .check(cairn);
    }

    @Test
    void localfilePlugin_dependsOnTheApiAndTheJdk_only() {
        classes()
                .that()
                .resideInAPackage("dev.cairn.checkpoint.storage.localfile..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "dev.cairn.checkpoint.storage.localfile..",
                        "dev.cairn.checkpoint.storage.api..",
                        "java..",
                        "org.slf4j..")
                .check(cairn);
    }

    @Test
    void pluginLoading_dependsOnTheApisAndTheJdk_only() {
        classes()
                .that()
                .resideInAPackage("dev.cairn.checkpoint.plugins..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "dev.cairn.checkpoint.plugins..",
                        "dev.cairn.checkpoint.storage.api..",
                        "dev.cairn.checkpoint.api..",
                        "java..")
                .check(cairn);
    }

    @Test
    void core_neverNamesAPlugin() {
        noClasses()
                .that()
                .resideInAPackage("dev.cairn.checkpoint..")
                .and()
                .resideOutsideOfPackage("dev.cairn.checkpoint.storage..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.cairn.checkpoint.storage.hdfs..",
                        "dev.cairn.checkpoint.storage.localfile..",
                        "org.apache.hadoop..")
                .check(cairn);
    }

    @Test
    void noPackageCycles_anywhere() {
        slices().matching("dev.cairn.(**)").should().beFreeOfCycles().check(cairn);
    }

    @Test
    void jobApi_dependsOnTheStorageApiAndTheJdk_only() {
        classes()
                .that()
                .resideInAPackage("dev.cairn.checkpoint.api..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("dev.cairn.checkpoint.api..", "dev.cairn.checkpoint.storage.api..", "java..")
                .check(cairn);
    }

    @Test
    void kernel_knowsNoHazelcast() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.cairn.checkpoint.config..",
                        "dev.cairn.checkpoint.coordinator..",
                        "dev.cairn.checkpoint.flush..",
                        "dev.cairn.checkpoint.io..",
                        "dev.cairn.checkpoint.plugins..",
                        "dev.cairn.checkpoint.recovery..",
                        "dev.cairn.checkpoint.runtime..",
                        "dev.cairn.checkpoint.snapshot..",
                        "dev.cairn.checkpoint.store..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("com.hazelcast..", "dev.cairn.checkpoint.cluster..")
                .check(cairn);
    }

    @Test
    void clusterInternals_areUsedInsideTheClusterModule_only() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.cairn.checkpoint.cluster..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.cairn.checkpoint.cluster.internal..")
                .check(cairn);
    }

    @Test
    void examples_useTheJobApi_only() {
        classes()
                .that()
                .resideInAnyPackage(
                        "dev.cairn.checkpoint.demo..",
                        "dev.cairn.checkpoint.quickstart..",
                        "dev.cairn.checkpoint.bench..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "dev.cairn.checkpoint.demo..",
                        "dev.cairn.checkpoint.quickstart..",
                        "dev.cairn.checkpoint.bench..",
                        "dev.cairn.checkpoint.api..",
                        "dev.cairn.checkpoint.storage.api..",
                        "java..")
                .check(cairn);
    }
}
