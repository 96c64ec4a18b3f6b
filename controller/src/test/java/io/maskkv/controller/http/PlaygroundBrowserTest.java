package io.maskkv.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The playground in a real browser: Debian's headless Chromium loads the page from a real controller, submits the
 * README's needle prompt, and must show the passkey, the filled canvas and kept cells in the heatmap. Saves the
 * README's screenshot to docs/img/playground.png.
 */
class PlaygroundBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void theNeedlePromptShowsThePasskeyTheUnmaskingAndTheKeptPositions() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "no browser: install Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver; "
            + ".ci/run does) to run the playground test");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1500");
    // the packaged driver, so that Selenium Manager never tries to download one
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    try (HttpCluster cluster = new HttpCluster()) {
      WebDriver browser = new ChromeDriver(service, options);
      try {
        browser.get(cluster.base() + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(90));
        browser.findElement(By.id("example")).click();
        wait.until(d -> !d.findElement(By.id("prompt")).getAttribute("value").isBlank());
        browser.findElement(By.id("run")).click();
        wait.until(ExpectedConditions.attributeToBe(By.id("status"), "data-done", "true"));
        assertEquals(HttpCluster.PASSKEY, browser.findElement(By.id("answer")).getText().trim());
        assertEquals(2, browser.findElements(By.cssSelector("#canvas .cell.filled")).size(),
            "both answer slots unmasked");
        assertEquals(0, browser.findElements(By.cssSelector("#canvas .cell.masked")).size());
        assertEquals(16, browser.findElements(By.cssSelector("#heatmap .hm-label")).size(),
            "a heatmap row per layer and head of the bundled model (4 x 4)");
        int kept = browser.findElements(By.cssSelector("#heatmap .hm-cell.kept")).size();
        assertTrue(kept > 0 && kept < browser.findElements(By.cssSelector("#heatmap .hm-cell")).size(),
            "some, not all, prompt positions kept: " + kept);
        assertTrue(browser.findElement(By.id("kv")).getText().contains("of the full cache"));
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        HttpCluster.writeTo(HttpCluster.bundled().getParent().getParent().resolve("docs/img/playground.png"), png);
      } finally {
        browser.quit();
      }
    }
  }
}
