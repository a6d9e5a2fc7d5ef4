package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.cluster.CairnMember;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The checkpoint page in a real browser (Debian's headless Chromium through its chromedriver),
 * served by a member that is not the master, asserting what a person sees: the job's row, chart
 * points that grow as checkpoints complete, each task's ack time on a click, and a storage outage
 * (the error, the completed-vs-committed gap, the storage's backlog).
 *
 * <p>Without Chromium it fails under CI (the environment variable {@code CI} is set, as {@code
 * .ci/run} runs, which installs it) and is skipped elsewhere, saying how to install it. With
 * {@code -Dcairn.screenshot=FILE} it saves the page during the outage there (the picture in
 * docs/operations.md); it always saves one to {@code target/web-page.png}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebPageIT {
    private static final String CHROMIUM = System.getProperty("cairn.chromium", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("cairn.chromedriver", "/usr/bin/chromedriver");

    @TempDir
    Path dir;

    private WebDriver browser;

    @BeforeEach
    void startBrowser() {
        Faults.reset();
        boolean present = Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER));
        String missing = "no Chromium at " + CHROMIUM + " with its driver at " + CHROMEDRIVER
                + ": apt-get install chromium chromium-driver (Debian), or set -Dcairn.chromium and -Dcairn.chromedriver";
        if (!present && System.getenv("CI") != null) {
            fail(missing + ". .ci/run installs them; a browser test that cannot run must not pass");
        }
        Assumptions.assumeTrue(present, missing);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + dir.resolve("chromium-profile"),
                "--window-size=1280,1500");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile())
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() {
        Faults.reset();
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void thePage_showsTheJobItsCheckpointsAckTimesAndAStorageOutage() throws Exception {
        var config = TestCluster.engine(
                "interval: 300\ntimeout: 15000",
                "localfile",
                Map.of("namespace", dir.resolve("ckpt").toString()),
                1,
                "http:\n  enable-http: true\n  port: 0");
        try (TestCluster cluster = TestCluster.start(2, config, FaultyStorage::new)) {
            cluster.submit(Demo.job("web", 10_000_000, 2, 5_000, dir.resolve("out")));
            CairnMember notMaster = cluster.members().stream()
                    .filter(m -> !m.isMaster())
                    .findFirst()
                    .orElseThrow();
            browser.get("http://127.0.0.1:" + notMaster.httpPort() + "/cairn/");

            // The job's row appears; a click shows the job.
            click(By.cssSelector("#jobs tr.job-row"), "web RUNNING", "the job's row, RUNNING");
            until(b -> b.findElement(By.id("job-title")).getText().equals("Job web RUNNING"), "the job's title");

            // Points appear on the duration chart, and more as checkpoints complete.
            int first = until(b -> positive(points(b, "duration")), "points on the duration chart");
            int later = until(b -> points(b, "duration") >= first + 3 ? points(b, "duration") : null, "more points");
            assertTrue(later > first);
            assertEquals(points(browser, "duration"), points(browser, "size"), "one size point per completed one");

            // A click on a checkpoint shows each task's ack time.
            JobStatus record = cluster.job("web");
            CheckpointStats shown = record.history().get(record.history().size() - 2);
            assertEquals(6, shown.ackMillis().size(), "parallelism 2: a source, a transform and a sink each");
            click(By.cssSelector("tr.checkpoint-row"), "#" + shown.id() + " ", "the row of checkpoint " + shown.id());
            Map<String, String> acks = until(
                    b -> {
                        Map<String, String> seen = new TreeMap<>();
                        for (WebElement ack : b.findElements(By.cssSelector("#acks .row.ack"))) {
                            seen.put(
                                    ack.findElement(By.className("task")).getText(),
                                    ack.findElement(By.className("ms")).getText());
                        }
                        return seen.size() == shown.ackMillis().size() ? seen : null;
                    },
                    "one ack time per task of checkpoint " + shown.id());
            Map<String, String> expected = new TreeMap<>();
            shown.ackMillis().forEach((task, millis) -> expected.put(task, millis + " ms"));
            assertEquals(expected, acks);
            assertTrue(text("#acks h4").startsWith("Checkpoint #" + shown.id() + " "), text("#acks h4"));

            // A storage outage: the page says why, and shows completed running ahead of committed.
            assertTrue(browser.findElement(By.id("job-storage-error")).getAttribute("hidden") != null);
            Faults.storageDown = true;
            String error = until(
                    b -> b.findElement(By.id("job-storage-error")).isDisplayed()
                            ? b.findElement(By.id("job-storage-error")).getText()
                            : null,
                    "the storage error");
            assertTrue(error.startsWith("Storage failing: pipeline 1: checkpoint "), error);
            assertTrue(error.contains(Faults.OUTAGE), error);
            until(b -> gap(b) >= 3 ? true : null, "completed 3 ids ahead of committed");
            until(
                    b -> b.findElements(By.cssSelector("svg.duration circle.point.pending"))
                                    .isEmpty()
                            ? null
                            : true,
                    "points of checkpoints not in storage");
            until(
                    b -> b.findElements(By.cssSelector("tr.checkpoint-row")).stream()
                                    .anyMatch(r -> r.getText().contains(" not in storage "))
                            ? true
                            : null,
                    "a checkpoint listed as not in storage");
            assertFalse(text(".tile.storage-errors .value").equals("0"));
            assertTrue(text("#jobs tr.job-row").endsWith(" failing"), "the job list says the storage is failing");
            screenshot();

            // A storage error with markup in it, as a path or an exception's message may have: it is text.
            String hostile = Faults.OUTAGE + " <img src=x onerror=\"document.title='ran'\"><b>bold</b>";
            Faults.outageMessage = hostile;
            until(b -> b.findElement(By.id("job-storage-error")).getText().contains(hostile), "the message as text");
            assertEquals(List.of(), browser.findElements(By.cssSelector("#job-storage-error *")), "no element made");
            assertEquals("Cairn checkpoints", browser.getTitle(), "no script ran");

            // Storage back: the error goes, commits catch up.
            Faults.storageDown = false;
            until(b -> b.findElement(By.id("job-storage-error")).isDisplayed() ? null : true, "the error gone");
            until(b -> gap(b) <= 1 ? true : null, "commits caught up");
            cluster.cancel("web");
        }
    }

    /** Clicks the first element {@code where} whose text starts with {@code text}, once the page shows one. */
    private void click(By where, String text, String what) {
        until(
                b -> {
                    for (WebElement e : b.findElements(where)) {
                        if (e.getText().startsWith(text)) {
                            e.click();
                            return true;
                        }
                    }
                    return null;
                },
                what);
    }

    /** Waits until {@code condition} gives something but null or false; the page redraws itself meanwhile. */
    private <T> T until(Function<WebDriver, T> condition, String what) {
        return new WebDriverWait(browser, Duration.ofSeconds(20))
                .ignoring(StaleElementReferenceException.class)
                .withMessage(() -> "the page did not show " + what + "; it showed:\n"
                        + browser.findElement(By.tagName("body")).getText())
                .until(condition::apply);
    }

    private static int points(WebDriver browser, String chart) {
        return browser.findElements(By.cssSelector("svg." + chart + " circle.point"))
                .size();
    }

    private static Integer positive(int n) {
        return n > 0 ? n : null;
    }

    /** The "completed − committed" tile: "N ids". */
    private int gap(WebDriver b) {
        String value = b.findElement(By.cssSelector(".tile.gap .value")).getText();
        return value.endsWith(" ids") ? Integer.parseInt(value.substring(0, value.length() - 4)) : -1;
    }

    private String text(String css) {
        return until(b -> b.findElement(By.cssSelector(css)).getText(), css);
    }

    private void screenshot() throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(Path.of("target", "web-page.png"), png);
        String docs = System.getProperty("cairn.screenshot");
        if (docs != null && !docs.isBlank()) {
            Files.write(Path.of(docs), png);
        }
    }
}
