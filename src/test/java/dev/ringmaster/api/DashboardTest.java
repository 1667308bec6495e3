package dev.ringmaster.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmaster.api.RestApi.Response;
import dev.ringmaster.support.TestDefinitions;
import dev.ringmaster.support.TestTokens;
import dev.ringmaster.support.TrafficTarget;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dashboard against the real app (in-process Temporal, openmetrics gates on a traffic target, flagd-file and
 * command adapters). Over HTTP, always: the pages are served without a token and hold no data, {@code /api/me} says
 * who a token is, a status carries each ring's chart series (canary, control, threshold), the list what the dashboard
 * shows, a decision from the dashboard is recorded as such with its comment as sent. In a real headless Chromium
 * (Debian's {@code chromium} and {@code chromium-driver}; skipped, saying so, where absent): the list shows a running
 * rollout, the rollout page's chart gains points as measurements arrive, Approve is disabled with the reason for a
 * non-approver and for the triggerer, an approver's Approve moves the rollout to the next ring, a {@code <script>}
 * comment shows as text, Abort (after its confirm dialog) rolls back and the page lists the rollback steps.
 * Screenshots go to {@code target/screenshots}, or to {@code -Dringmaster.screenshots=docs}.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "ringmaster.temporal.ui-url=http://temporal-ui.example:8233")
class DashboardTest {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final String SCRIPT_COMMENT = "<script>alert('x')</script> gates look fine";
  @TempDir static Path dir;
  static final TrafficTarget TRAFFIC = new TrafficTarget();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @LocalServerPort int port;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    RestApi.localConnectionsIn(dir, r);
    r.add("ringmaster.connections.scrape.kind", () -> "openmetrics");
    r.add("ringmaster.connections.scrape.url", TRAFFIC::metricsUrl);
    r.add("ringmaster.connections.scrape.window", () -> "1s");
    r.add("ringmaster.connections.scrape.timeout", () -> "2s");
  }

  @AfterAll
  static void stopTraffic() {
    TRAFFIC.close();
  }

  /** The example without its migration, gates every second, its own service, domain and flag. */
  static String definition(String name, String internalSoak, String canarySoak, String everyoneSoak) throws Exception {
    String yaml = RestApi.example(internalSoak, canarySoak, everyoneSoak);
    yaml = yaml.substring(0, yaml.indexOf("  migration:")) + TestDefinitions.errorRateGate(2).indent(2) + yaml.substring(yaml.indexOf("  rings:"));
    return yaml.replace("service: example", "service: example-" + name).replace("domain: demo", "domain: " + name).replace("key: new-example-flow", "key: " + name + "-flow");
  }

  String start(String name, String... soaks) throws Exception {
    Response started = new RestApi(port).call("POST", "/api/rollouts", RestApi.start(definition(name, soaks[0], soaks[1], soaks[2]), "1.0.0"));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    return started.body().get("id").asText();
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void overHttpThePagesTheirDataAndADashboardDecision() throws Exception {
    for (String page : List.of("/", "/rollouts/rollout-example-x-1.0.0", "/ringmaster.js", "/ringmaster.css")) {
      HttpResponse<String> r = get(page, null);
      assertThat(r.statusCode()).as(page).isEqualTo(200);
      assertThat(r.body()).as(page + " holds no token").doesNotContainPattern("rm_[A-Za-z0-9_-]{8,}");
    }
    assertThat(get("/", null).headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(get("/rollouts/rollout-example-x-1.0.0", null).body()).contains("data-page=\"rollout\"");

    assertThat(get("/api/me", null).statusCode()).isEqualTo(401);
    JsonNode me = RestApi.JSON.readTree(get("/api/me", TestTokens.tokenOf("alice")).body());
    assertThat(me.get("identity").asText()).isEqualTo("alice");
    assertThat(me.get("roles").toString()).contains("approve");
    assertThat(me.get("temporalUi").asText()).isEqualTo("http://temporal-ui.example:8233/namespaces/default/workflows/");

    RestApi api = new RestApi(port);
    String id = start("dash-http", "3s", "1s", "1h");
    JsonNode withPoints = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
        .until(() -> api.status(id), s -> s.path("rings").get(0).path("measurements").path("series").size() >= 2);
    JsonNode point = withPoints.path("rings").get(0).path("measurements").path("series").get(0);
    assertThat(point.path("outcome").asText()).isEqualTo("PASSED");
    JsonNode value = point.path("metrics").get(0);
    assertThat(value.path("metric").asText()).isEqualTo("error-rate");
    assertThat(value.path("canary").isNumber()).as(value.toString()).isTrue();
    assertThat(value.path("control").isNumber()).isTrue();
    assertThat(value.path("threshold").asDouble()).as("control + 0.05").isEqualTo(value.path("control").asDouble() + 0.05, org.assertj.core.data.Offset.offset(1e-9));

    JsonNode listed = null;
    for (JsonNode r : api.call("GET", "/api/rollouts?service=example-dash-http", null).body()) if (r.path("id").asText().equals(id)) listed = r;
    assertThat(listed).isNotNull();
    assertThat(listed.path("triggeredBy").asText()).isEqualTo("ci-bot");
    assertThat(listed.path("currentAudience").asText()).isNotEmpty();

    api.awaitStatus(id, "phase", "AWAITING_APPROVAL");
    HttpResponse<String> approved = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/rollouts/" + id + "/approve"))
        .header("Authorization", "Bearer " + TestTokens.tokenOf("alice")).header("Content-Type", "application/json").header("X-Ringmaster-Client", "dashboard")
        .POST(HttpRequest.BodyPublishers.ofString(RestApi.JSON.createObjectNode().put("comment", SCRIPT_COMMENT).put("gate", "canary").toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    JsonNode decided = api.status(id).path("approvals").get(0);
    assertThat(decided.path("source").asText()).isEqualTo("dashboard");
    assertThat(decided.path("comment").asText()).isEqualTo(SCRIPT_COMMENT);
    assertThat(api.call("POST", "/api/rollouts/" + id + "/abort", RestApi.by("sre")).status()).isEqualTo(202);
    api.awaitStatus(id, "state", "ROLLED_BACK");
  }

  // ---- in a real browser -------------------------------------------------------------------------------------------

  static WebDriver chromium(Path profile) {
    assumeTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
        "Chromium is not installed (Debian packages chromium and chromium-driver; .ci/run installs them): the dashboard is only checked over HTTP here");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
        "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  /** Signs in on {@code path} as {@code identity}, through the sign-in form (a token kept from before is dropped first). */
  void signIn(WebDriver browser, String path, String identity) {
    if (browser.getCurrentUrl().startsWith("http://127.0.0.1:" + port)) js(browser, "sessionStorage.removeItem('ringmaster.token')");
    browser.get("http://127.0.0.1:" + port + path);
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> browser.findElement(By.id("token")).isDisplayed());
    browser.findElement(By.id("token")).sendKeys(TestTokens.tokenOf(identity));
    browser.findElement(By.id("signin-button")).click();
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> browser.findElement(By.id("identity")).getText().startsWith(identity + " "));
    assertThat(js(browser, "return sessionStorage.getItem('ringmaster.token')")).as("the token is in session storage").isEqualTo(TestTokens.tokenOf(identity));
    assertThat(browser.getCurrentUrl()).as("never in a URL").doesNotContain(TestTokens.tokenOf(identity));
  }

  static void screenshot(WebDriver browser, String name) throws Exception {
    Path dirOut = Path.of(System.getProperty("ringmaster.screenshots", "target/screenshots"));
    Files.createDirectories(dirOut);
    Files.write(dirOut.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  /** Read in one script run: the page re-renders every 2 s, so an element found earlier may be gone by the next call. */
  static Object js(WebDriver browser, String script) {
    return ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(script);
  }

  /** The visible text of the first element {@code css} selects, or "" when there is none. */
  static String textOf(WebDriver browser, String css) {
    Object t = js(browser, "const e = document.querySelector(\"" + css.replace("\"", "\\\"") + "\"); return e ? e.innerText : '';");
    return t == null ? "" : t.toString();
  }

  static int points(WebDriver browser, String ring) {
    Object n = js(browser, "const e = document.querySelector(\".ring[data-ring='" + ring + "'] svg[data-metric='error-rate']\"); return e ? e.getAttribute('data-points') : '0';");
    return Integer.parseInt(String.valueOf(n));
  }

  String text(WebDriver browser, String id) {
    return textOf(browser, "#" + id);
  }

  @Test
  void inARealBrowserWatchApproveAndAbort(@TempDir Path profile) throws Exception {
    WebDriver browser = chromium(profile);
    TRAFFIC.errorRateOn = 0.02; // a canary a little worse than control, under the line: the chart shows three lines apart
    try {
      String id = start("dash-ui", "20s", "1s", "1h");
      RestApi api = new RestApi(port);

      signIn(browser, "/", "mallory");
      String rowCss = "#rollouts tr[data-id='" + id + "']";
      await().atMost(Duration.ofSeconds(20)).until(() -> !textOf(browser, rowCss).isEmpty());
      assertThat(textOf(browser, rowCss)).contains("example-dash-ui").contains("1.0.0").contains("RUNNING").contains("ci-bot").contains("internal (tenants");
      screenshot(browser, "dashboard-list.png");

      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
        browser.findElement(By.cssSelector(rowCss + " a")).click();
        return browser.getCurrentUrl().endsWith("/rollouts/" + id);
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> points(browser, "internal") >= 2);
      assertThat(textOf(browser, ".ring[data-ring='internal'] p")).contains("left");
      int first = points(browser, "internal");
      await().atMost(Duration.ofSeconds(30)).until(() -> points(browser, "internal") >= first + 2);
      assertThat(browser.findElement(By.id("temporal-link")).getAttribute("href")).isEqualTo("http://temporal-ui.example:8233/namespaces/default/workflows/" + id);
      assertThat(textOf(browser, ".pipeline li.current")).startsWith("internal");
      screenshot(browser, "dashboard-rollout-soaking.png");

      await().atMost(Duration.ofSeconds(60)).until(() -> text(browser, "phase").equals("AWAITING_APPROVAL"));
      await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElement(By.id("approve")).isEnabled());
      assertThat(browser.findElement(By.id("approve")).getAttribute("title")).isEqualTo("you are not an approver for canary (approvers: alice, bob)");
      assertThat(text(browser, "why-disabled")).contains("approve: you are not an approver for canary");

      signIn(browser, "/rollouts/" + id, "ci-bot");
      await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("approve")).getAttribute("title").contains("you triggered this rollout"));
      assertThat(browser.findElement(By.id("approve")).isEnabled()).isFalse();

      signIn(browser, "/rollouts/" + id, "alice");
      await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("approve")).isEnabled());
      browser.findElement(By.id("comment")).sendKeys(SCRIPT_COMMENT);
      browser.findElement(By.id("approve")).click();
      await().atMost(Duration.ofSeconds(30)).until(() -> api.status(id).path("rings").get(2).path("state").asText().equals("SOAKING"));
      await().atMost(Duration.ofSeconds(10)).until(() -> !textOf(browser, "#approvals td.comment").isEmpty());
      assertThat(textOf(browser, "#approvals td.comment")).isEqualTo(SCRIPT_COMMENT);
      assertThat(js(browser, "return document.querySelectorAll('#approvals script').length")).as("the comment is text, not markup").isEqualTo(0L);
      assertThat(textOf(browser, "#approvals tbody tr")).contains("alice").contains("dashboard");
      assertThat(alertOpen(browser)).as("no script ran").isFalse();
      await().atMost(Duration.ofSeconds(10)).until(() -> textOf(browser, ".pipeline li.current").startsWith("everyone"));

      browser.findElement(By.id("comment")).sendKeys("latency alert");
      browser.findElement(By.id("abort")).click();
      var confirm = browser.switchTo().alert();
      assertThat(confirm.getText()).contains("The flag goes off for everyone").contains("redeployed");
      confirm.accept();
      await().atMost(Duration.ofSeconds(30)).until(() -> !textOf(browser, "#rollback-steps li").isEmpty());
      assertThat(js(browser, "return document.getElementById('rollback').hidden")).isEqualTo(false);
      assertThat(textOf(browser, "#rollback-steps li")).startsWith("KillSwitch");
      await().atMost(Duration.ofSeconds(30)).until(() -> text(browser, "state").equals("ROLLED_BACK"));
      await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElement(By.id("abort")).isEnabled());
      assertThat(browser.findElement(By.id("abort")).getAttribute("title")).isEqualTo("the rollout has ended");
      assertThat(text(browser, "rollback-reason")).contains("aborted by alice via dashboard").contains("latency alert");
      assertThat(textOf(browser, "#rollback-steps")).contains("RestoreFlag");
      assertThat(textOf(browser, ".pipeline li.failed")).startsWith("everyone");
      screenshot(browser, "dashboard-rollback.png");
    } catch (Throwable failed) {
      screenshot(browser, "failed-" + System.currentTimeMillis() + ".png"); // what the page showed, for the report
      throw failed;
    } finally {
      browser.quit();
      TRAFFIC.reset();
    }
  }

  static boolean alertOpen(WebDriver browser) {
    try {
      browser.switchTo().alert();
      return true;
    } catch (NoAlertPresentException none) {
      return false;
    }
  }
}
