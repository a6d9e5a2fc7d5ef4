package dev.cairn.checkpoint.storage.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Mutation tests of the contract suite: it runs, whole, against a correct plugin and against
 * plugins broken in one way each ({@link Mutant}). The correct one must pass every case; each
 * broken one must fail, in the cases named for it. A suite that a broken store passes is the
 * defect this catches.
 */
class ContractSuiteBitesTest {
    /** Cases of the suite: a parameterized case counts once per invocation. */
    private static final int CASES = 28;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mutant.class)
    void theSuite_failsEachBrokenPlugin_andPassesTheCorrectOne(Mutant mutant) {
        SuiteRun run = SuiteRun.of(MutantContract.of(mutant));
        System.out.println(mutant + " (" + mutant.flaw + "): " + run);

        if (mutant == Mutant.CORRECT) {
            assertEquals(Map.of(), run.failed, "a correct plugin passes every case");
            assertEquals(Set.of(), run.skipped, "and skips none");
            assertEquals(CASES, run.passed, "cases run");
            return;
        }
        for (String expected : mutant.caughtBy) {
            assertTrue(
                    run.failed.containsKey(expected),
                    "the suite must catch " + mutant + " (" + mutant.flaw + ") in " + expected + "; it failed "
                            + run.failed.keySet());
        }
    }

    /** The outcome of one run of a contract class, by case (method name). */
    private static final class SuiteRun implements TestExecutionListener {
        final Map<String, String> failed = new TreeMap<>();
        final Set<String> skipped = new TreeSet<>();
        int passed;

        static SuiteRun of(Class<?> contract) {
            SuiteRun run = new SuiteRun();
            LauncherFactory.create()
                    .execute(
                            LauncherDiscoveryRequestBuilder.request()
                                    .selectors(selectClass(contract))
                                    .build(),
                            run);
            return run;
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (!test.isTest()) {
                result.getThrowable().ifPresent(t -> failed.put(test.getDisplayName(), firstLine(t)));
                return;
            }
            String name = test.getSource()
                    .filter(MethodSource.class::isInstance)
                    .map(s -> ((MethodSource) s).getMethodName())
                    .orElse(test.getDisplayName());
            switch (result.getStatus()) {
                case SUCCESSFUL -> passed++;
                case ABORTED -> skipped.add(name);
                case FAILED -> failed.putIfAbsent(
                        name, result.getThrowable().map(SuiteRun::firstLine).orElse("failed"));
            }
        }

        @Override
        public void executionSkipped(TestIdentifier test, String reason) {
            skipped.add(test.getDisplayName() + ": " + reason);
        }

        private static String firstLine(Throwable t) {
            String s = String.valueOf(t);
            int newline = s.indexOf('\n');
            return newline < 0 ? s : s.substring(0, newline);
        }

        @Override
        public String toString() {
            List<String> lines = new ArrayList<>();
            lines.add(passed + " passed, " + failed.size() + " cases failed, " + skipped.size() + " skipped");
            failed.forEach((c, why) -> lines.add("  FAILED " + c + ": " + why));
            skipped.forEach(c -> lines.add("  SKIPPED " + c));
            return String.join("\n", lines);
        }
    }
}
