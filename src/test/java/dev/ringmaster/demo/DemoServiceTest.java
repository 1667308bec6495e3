package dev.ringmaster.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo service on its own: the flag read through OpenFeature's flagd provider from a flagd file, the version from
 * the deploy script's file, a {@code -bad} version failing only users with the flag on, and the metrics a gate reads.
 */
class DemoServiceTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path dir;

  static String get(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  /** A flagd file with one flag on for the tenant acme-internal only. */
  static String internalOnly(String key) {
    return """
        {"flags": {"%s": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"if": [{"in": [{"var": "tenantId"}, ["acme-internal"]]}, "on", "off"]}}}}
        """.formatted(key);
  }

  static double counter(String metrics, String flag, String code) {
    Matcher m = Pattern.compile("http_requests_total\\{code=\"" + code + "\",flag=\"" + flag + "\"[^}]*} ([0-9.E]+)").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void aBadVersionFailsOnlyTheUsersWhoseFlagIsOn() throws Exception {
    Path flags = dir.resolve("flags.json");
    Path version = dir.resolve("running-version");
    Files.writeString(version, "1.0.1-bad\n");
    Files.writeString(flags, internalOnly(DemoService.flagKeyOf("1.0.1-bad")));
    try (DemoService demo = DemoService.start(0, flags, version, 0.5, Duration.ofMillis(30))) {
      await().atMost(Duration.ofSeconds(10)).until(() -> get(demo.url() + "/hello?user=u1&tenant=acme-internal").contains("new greeting")
          || get(demo.url() + "/hello?user=u1&tenant=acme-internal").startsWith("500"));
      assertThat(get(demo.url() + "/hello?user=u2&tenant=globex")).isEqualTo("200 Hello u2 (1.0.1-bad)\n");

      // The share failed is random (each flag-on request fails with probability 0.5): with 150 flag-on requests the
      // band 0.3-0.7 is almost five standard deviations wide each side, with ~35 it failed about one run in fifty.
      try (LoadGenerator load = LoadGenerator.start(demo.url(), 400, 1000)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          String m = get(demo.url() + "/metrics");
          return counter(m, "on", "500") + counter(m, "on", "200") >= 150 && load.answered() > 400;
        });
      }
      String metrics = get(demo.url() + "/metrics");
      double onErrors = counter(metrics, "on", "500"), onOk = counter(metrics, "on", "200"), offErrors = counter(metrics, "off", "500");
      assertThat(offErrors).isZero();
      assertThat(onErrors / (onErrors + onOk)).isBetween(0.3, 0.7);
      assertThat(metrics).contains("http_request_duration_seconds_bucket{flag=\"on\",le=\"0.05\"}");
    }
  }

  @Test
  void aGoodVersionServesTheNewGreetingWithoutErrorsAndNoFlagMeansTheOldOne() throws Exception {
    Path flags = dir.resolve("flags.json");
    Path version = dir.resolve("running-version");
    Files.writeString(version, "1.0.0\n");
    Files.writeString(flags, internalOnly(DemoService.flagKeyOf("1.0.0")));
    try (DemoService demo = DemoService.start(0, flags, version, 0.5, Duration.ofMillis(30))) {
      await().atMost(Duration.ofSeconds(10)).until(() -> get(demo.url() + "/hello?user=u1&tenant=acme-internal"),
          s -> s.equals("200 Hello, u1! (new greeting, 1.0.0)\n"));
      Files.writeString(version, "1.0.1-bad\n"); // deployed, its flag does not exist yet: everyone gets the old path
      await().atMost(Duration.ofSeconds(5)).until(() -> get(demo.url() + "/hello?user=u1&tenant=acme-internal"), s -> s.equals("200 Hello u1 (1.0.1-bad)\n"));
    }
    assertThat(DemoService.flagKeyOf("1.0.1-bad")).isEqualTo("new-greeting-1-0-1");
    assertThat(DemoService.flagKeyOf("1.0.3")).as("a patch release reads its feature's flag").isEqualTo("new-greeting-1-0-1");
    assertThat(DemoService.flagKeyOf("1.0.0")).isEqualTo("new-greeting-1-0-0");
    assertThat(DemoService.flagKeyOf("0.9.0")).isEqualTo("none");
    assertThat(DemoService.flagKeyOf("weird")).isEqualTo("none");
  }
}
