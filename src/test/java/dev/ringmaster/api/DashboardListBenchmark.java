package dev.ringmaster.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ringmaster.support.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dashboard's list at 1,000 rollouts: {@code ringmaster.benchmark.rollouts} (1,000) rollouts on the real app
 * (in-process Temporal), all but 50 of them finished (their deploy is refused, so they roll back at once) and 50
 * soaking. Measured: {@code GET /api/rollouts} once every closed rollout's status has been read once (they are kept), and
 * in headless Chromium the list page from navigation to its first page rendered, and paging to the next page.
 * <pre>mvn test -Dtest=DashboardListBenchmark -Dringmaster.benchmark=true</pre>
 * Results go to the console and target/benchmarks/dashboard-list.md; BENCHMARKS.md keeps the figures.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DashboardListBenchmark {
  static final int ROLLOUTS = Integer.getInteger("ringmaster.benchmark.rollouts", 1000);
  static final int OPEN = 50;
  static final int FLAG_FILES = 20;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path dir;
  @LocalServerPort int port;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    RestApi.localConnectionsIn(dir, r);
    // Flags spread over files (one flagd file holding 1,000 flags would be rewritten on every change); deploys that
    // are refused at once (exit 127: not runnable, no retry) for the rollouts that finish, and a no-op for the others.
    for (int i = 0; i < FLAG_FILES; i++) {
      int n = i;
      r.add("ringmaster.connections.bench-flags-" + i + ".kind", () -> "flagd-file");
      r.add("ringmaster.connections.bench-flags-" + i + ".path", () -> dir.resolve("flags-" + n + ".json").toString());
    }
    r.add("ringmaster.connections.bench-refused.kind", () -> "command");
    r.add("ringmaster.connections.bench-refused.deploy", () -> "case {version} in 1.0.0) exit 127;; *) exit 0;; esac"); // the rollback's redeploy of 0.9.0 works
    r.add("ringmaster.connections.bench-refused.current-version", () -> "echo 0.9.0");
    r.add("ringmaster.connections.bench-ok.kind", () -> "command");
    r.add("ringmaster.connections.bench-ok.deploy", () -> "true");
    r.add("ringmaster.connections.bench-ok.current-version", () -> "echo 0.9.0");
  }

  static String definition(int i) {
    boolean open = i < OPEN;
    return """
        apiVersion: ringmaster/v1
        kind: Rollout
        metadata: { service: bench%1$d, domain: bench%1$d, owner: team-bench }
        spec:
          flag: { key: bench-flow-%1$d, connection: bench-flags-%2$d, expires: 2027-06-30 }
          deploy: { connection: %3$s }
          rings:
            - name: everyone
              audience: { percent: 100 }
              soak: 1h
        """.formatted(i, i % FLAG_FILES, open ? "bench-ok" : "bench-refused");
  }

  HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer " + TestTokens.tokenOf("ci-bot"))
        .header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  int listed() throws Exception {
    return RestApi.JSON.readTree(call("GET", "/api/rollouts", null).body()).size();
  }

  long countIn(String state) throws Exception {
    long n = 0;
    for (var r : RestApi.JSON.readTree(call("GET", "/api/rollouts?state=" + state, null).body())) n++;
    return n;
  }

  @Test
  void theListAtAThousandRollouts(@TempDir Path profile) throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("ringmaster.benchmark"), "a benchmark: run with -Dringmaster.benchmark=true");
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(1); // one at a time: concurrent update-with-starts crash the Java test server (NPE in its UpdateHandle)
    List<Future<Integer>> starts = new ArrayList<>();
    for (int i = 0; i < ROLLOUTS; i++) {
      String body = RestApi.JSON.createObjectNode().put("definition", definition(i)).put("version", "1.0.0").toString();
      starts.add(pool.submit(() -> call("POST", "/api/rollouts", body).statusCode()));
    }
    int pending = 0;
    for (Future<Integer> f : starts) {
      int status = f.get();
      assertThat(status).as("201 started, or 202 accepted but not started within the start wait").isIn(201, 202);
      if (status == 202) pending++;
    }
    pool.shutdown();
    double startSeconds = (System.nanoTime() - t0) / 1e9;
    await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofSeconds(5)).until(() -> countIn("ROLLED_BACK") == ROLLOUTS - OPEN);
    double settledSeconds = (System.nanoTime() - t0) / 1e9;

    List<String> rows = new ArrayList<>();
    long[] warm = new long[20];
    for (int i = 0; i < warm.length; i++) {
      long t = System.nanoTime();
      assertThat(listed()).isEqualTo(ROLLOUTS);
      warm[i] = System.nanoTime() - t;
    }
    Arrays.sort(warm);
    rows.add("| `GET /api/rollouts`, then (closed rollouts kept; " + OPEN + " open ones queried), 20 calls | " + ROLLOUTS + " | " + ms(warm[10]) + " | "
        + ms(warm[19]) + " |");

    WebDriver browser = DashboardTest.chromium(profile);
    try {
      browser.get("http://127.0.0.1:" + port + "/");
      browser.findElement(By.id("token")).sendKeys(TestTokens.tokenOf("reader"));
      long page = System.nanoTime();
      browser.findElement(By.id("signin-button")).click();
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
          .until(() -> DashboardTest.textOf(browser, "#count").equals(ROLLOUTS + " rollout(s)"));
      rows.add("| list page: sign-in to its first page of 50 rendered (Chromium) | " + ROLLOUTS + " | " + ms(System.nanoTime() - page) + " | |");
      assertThat(DashboardTest.js(browser, "return document.querySelectorAll('#rollouts tbody tr').length")).isEqualTo(50L);
      long next = System.nanoTime();
      browser.findElement(By.id("next")).click();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> DashboardTest.textOf(browser, "#page").startsWith("page 2 of"));
      rows.add("| list page: next page | " + ROLLOUTS + " | " + ms(System.nanoTime() - next) + " | |");
    } finally {
      browser.quit();
    }
    String table = "Started " + ROLLOUTS + " rollouts in " + String.format("%.0f s", startSeconds) + " (one at a time; " + pending
        + " answered 202: accepted, not started within the start wait); " + (ROLLOUTS - OPEN) + " rolled back, " + OPEN
        + " soaking after " + String.format("%.0f s", settledSeconds) + ".\n\n| what | rollouts | median (or once) | max |\n|---|---|---|---|\n"
        + String.join("\n", rows) + "\n";
    System.out.println(table);
    Files.createDirectories(Path.of("target/benchmarks"));
    Files.writeString(Path.of("target/benchmarks/dashboard-list.md"), table);
  }

  private static String ms(long ns) {
    return String.format("%.0f ms", ns / 1e6);
  }
}
