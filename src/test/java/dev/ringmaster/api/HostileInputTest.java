package dev.ringmaster.api;

import static dev.ringmaster.api.RestApi.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.api.RestApi.Response;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real application as a hostile caller meets it: migration locations outside the allowed roots, connections of
 * other services, deploy targets a connection does not allow, oversized and malformed bodies, NUL bytes, a fuzzer.
 * Every answer is a 4xx with the usual {@code {"error", "details"}} and, after each test, nothing happened: no
 * rollout exists, no flag was written, no deploy ran, the embedded database was never even started.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HostileInputTest {
  @TempDir static Path dir;
  static Path workflows;
  static Path outside;
  static final String EVIL_SQL = "CREATE TABLE evil_from_outside (id int);";
  static final String NOT_A_MIGRATION = "root:x:0:0:contents of a file that is not a migration";

  @LocalServerPort int port;
  RestApi api;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) throws Exception {
    fixtures();
    RestApi.localConnectionsIn(dir, r);
    r.add("ringmaster.workflows-dir", () -> workflows.toString());
    r.add("ringmaster.api.max-request-body", () -> "64KB");
    // A deploy connection for the shop team only, pinned to its namespace, two deployments and one image repository.
    r.add("ringmaster.connections.shop-deploy.kind", () -> "http");
    r.add("ringmaster.connections.shop-deploy.url", () -> "http://127.0.0.1:9/never-called");
    r.add("ringmaster.connections.shop-deploy.services", () -> "shop-*");
    r.add("ringmaster.connections.shop-deploy.target.namespace", () -> "shop");
    r.add("ringmaster.connections.shop-deploy.target.deployment", () -> "checkout-api, checkout-worker");
    r.add("ringmaster.connections.shop-deploy.target.image", () -> "registry.example.com/shop/*");
  }

  /** A workflows directory of our own: a good definition, and the ways out of it. */
  static void fixtures() throws Exception {
    if (workflows != null) return;
    workflows = Files.createDirectories(dir.resolve("workflows"));
    outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("V1__evil.sql"), EVIL_SQL + "\n");
    Files.writeString(outside.resolve("V2__passwd.sql"), NOT_A_MIGRATION + "\n");
    Files.createDirectories(workflows.resolve("db/expand"));
    Files.writeString(workflows.resolve("db/expand/V1__ok.sql"), "CREATE TABLE ok (id int);\n");
    Files.createSymbolicLink(workflows.resolve("escape"), outside);
    Files.createDirectories(workflows.resolve("links"));
    Files.createSymbolicLink(workflows.resolve("links/V1__link.sql"), outside.resolve("V2__passwd.sql"));
    for (String expand : List.of("escape", "links", "../outside", outside.toString())) {
      Files.writeString(workflows.resolve("by-path-" + Math.abs(expand.hashCode()) + ".yaml"), definition("example", expand));
    }
  }

  static String definition(String service, String expand) throws Exception {
    String yaml = RestApi.example("1h").replace("service: example", "service: " + service);
    return yaml.replaceAll("(?s)  migration:\n.*?\n  rings:", "  migration:\n    connection: local-db\n    expand: " + expand + "\n  rings:");
  }

  static String pathOf(String expand) {
    return "workflows/by-path-" + Math.abs(expand.hashCode()) + ".yaml";
  }

  @BeforeAll
  static void theDefinitionsAreTheExampleWithOneExpandLocation() throws Exception {
    assertThat(definition("example", "db/expand")).contains("  migration:\n    connection: local-db\n    expand: db/expand\n  rings:\n")
        .doesNotContain("example/db").contains("  deploy:\n    connection: local-deploy\n");
  }

  @BeforeEach
  void api() {
    api = new RestApi(port);
  }

  @AfterEach
  void nothingHappened() throws Exception {
    Response list = api.call("GET", "/api/rollouts", null);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body()).as("no rollout was started").isEmpty();
    assertThat(dir.resolve("flags.json")).as("no flag was written").doesNotExist();
    assertThat(dir.resolve("deploy.log")).as("no deploy ran").doesNotExist();
    assertThat(dir.resolve("postgres")).as("the database was never started, so no migration ran").doesNotExist();
  }

  static ObjectNode start(String yaml, String version) {
    return JSON.createObjectNode().put("definition", yaml).put("version", version).put("triggeredBy", "mallory");
  }

  /** A 4xx with the usual error shape, never quoting a file from outside. */
  static JsonNode refused(Response r, int status) {
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(status);
    assertThat(r.body().path("error").isTextual()).as(String.valueOf(r.body())).isTrue();
    assertThat(r.body().path("details").isArray()).as(String.valueOf(r.body())).isTrue();
    assertThat(r.body().toString()).doesNotContain("evil_from_outside").doesNotContain("root:x:0:0");
    return r.body();
  }

  @Test
  void migrationLocationsOutsideTheAllowedRootsAreRefusedWithTheirField() throws Exception {
    JsonNode absolute = refused(api.call("POST", "/api/rollouts", start(definition("example", outside.toString()), "1.0.0")), 400);
    assertThat(absolute.get("details").toString()).contains("spec.migration.expand").contains("absolute path");

    JsonNode dotdot = refused(api.call("POST", "/api/rollouts", start(definition("example", "../outside"), "1.0.0")), 400);
    assertThat(dotdot.get("details").toString()).contains("spec.migration.expand").contains("outside the allowed migration roots");

    String contractOutside = definition("example", "db/expand").replace("    expand: db/expand\n", "    expand: db/expand\n    contract: /tmp\n");
    assertThat(refused(api.call("POST", "/api/rollouts", start(contractOutside, "1.0.0")), 400).get("details").toString())
        .contains("spec.migration.contract");

    // classpath: holds migrations of the tests (src/test/resources/migrations) but no classpath root is allowed here.
    JsonNode classpath = refused(api.call("POST", "/api/rollouts", start(definition("example", "classpath:migrations/orders/expand"), "1.0.0")), 400);
    assertThat(classpath.get("details").toString()).contains("spec.migration.expand").contains("classpath: locations need");

    // By path: the symbolic link out, a script that is a link out, .. and an absolute path outside.
    assertThat(refused(api.call("POST", "/api/rollouts", byPath("escape")), 400).get("details").toString()).contains("symbolic link");
    assertThat(refused(api.call("POST", "/api/rollouts", byPath("links")), 400).get("details").toString()).contains("V1__link.sql").contains("link out");
    assertThat(refused(api.call("POST", "/api/rollouts", byPath("../outside")), 400).get("details").toString()).contains("outside the allowed");
    assertThat(refused(api.call("POST", "/api/rollouts", byPath(outside.toString())), 400).get("details").toString()).contains("outside the allowed");
  }

  private static ObjectNode byPath(String expand) {
    return JSON.createObjectNode().put("definitionPath", pathOf(expand)).put("version", "1.0.0").put("triggeredBy", "mallory");
  }

  @Test
  void aServiceMayNotUseConnectionsScopedToOthersNorDeployWhereItsConnectionDoesNotAllow() throws Exception {
    JsonNode stranger = refused(api.call("POST", "/api/rollouts", start(definition("intruder", "db/expand"), "1.0.0")), 400);
    assertThat(stranger.get("details").toString())
        .contains("spec.flag.connection: connection 'local-flags' may not be used by service 'intruder'")
        .contains("spec.deploy.connection: connection 'local-deploy' may not be used by service 'intruder'")
        .contains("spec.migration.connection: connection 'local-db' may not be used by service 'intruder'");

    String shop = definition("example", "db/expand").replace("  deploy:\n    connection: local-deploy", "  deploy:\n    connection: shop-deploy\n    target: { namespace: kube-system, deployment: coredns, image: evil.example.com/miner }");
    assertThat(shop).contains("shop-deploy");
    JsonNode wrongService = refused(api.call("POST", "/api/rollouts", start(shop, "1.0.0")), 400);
    assertThat(wrongService.get("details").toString()).contains("connection 'shop-deploy' may not be used by service 'example'")
        .contains("spec.deploy.target.namespace: 'kube-system' is not allowed by connection 'shop-deploy'")
        .contains("spec.deploy.target.deployment: 'coredns' is not allowed")
        .contains("spec.deploy.target.image: 'evil.example.com/miner' is not allowed");
    // The shop's own service, a pinned namespace left out and an allowed deployment: only the image is wrong now.
    String own = shop.replace("service: example", "service: shop-checkout").replace("namespace: kube-system, deployment: coredns", "deployment: checkout-api");
    List<String> problems = new ArrayList<>();
    refused(api.call("POST", "/api/rollouts", start(own, "1.0.0")), 400).get("details").forEach(d -> problems.add(d.asText()));
    assertThat(problems).anyMatch(p -> p.startsWith("spec.deploy.target.image")).noneMatch(p -> p.contains("namespace") || p.contains("deployment:"));
  }

  @Test
  void oversizedBodiesAre413AndLongValuesAreQuotedShort() throws Exception {
    String huge = "x".repeat(100 * 1024);
    JsonNode withLength = refused(api.call("POST", "/api/rollouts", start(RestApi.example("1h"), huge)), 413);
    assertThat(withLength.get("error").asText()).isEqualTo("request body too large: the limit is 64 KiB");
    // Chunked (no Content-Length): cut off while it is read.
    byte[] bytes = JSON.writeValueAsBytes(start("a: b", huge));
    HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/rollouts")).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + dev.ringmaster.support.TestTokens.tokenOf("mallory"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build();
    HttpResponse<String> r = HttpClient.newHttpClient().send(chunked, HttpResponse.BodyHandlers.ofString());
    refused(new Response(r.statusCode(), JSON.readTree(r.body())), 413);

    // Inside the limit: a 40 KB version comes back as a short prefix, not whole.
    String longVersion = "v".repeat(40 * 1024);
    Response version = api.call("POST", "/api/rollouts", start(RestApi.example("1h"), longVersion));
    refused(version, 400);
    assertThat(version.body().toString().length()).isLessThan(1000);
    assertThat(version.body().get("error").asText()).contains("(40960 characters)");

    String longName = RestApi.example("1h").replace("service: example", "service: " + "s".repeat(30_000));
    Response name = api.call("POST", "/api/rollouts", start(longName, "1.0.0"));
    refused(name, 400);
    assertThat(name.body().toString().length()).isLessThan(4000);
  }

  @Test
  void yamlBombsDeepNestingAndManyProblemsAreCleanRefusals() throws Exception {
    StringBuilder deep = new StringBuilder("apiVersion: ringmaster/v1\nspec: ");
    deep.append("[".repeat(5000)).append("]".repeat(5000));
    assertThat(refused(api.call("POST", "/api/rollouts", start(deep.toString(), "1.0.0")), 400).toString()).contains("(document)");

    StringBuilder aliases = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 0; i < 200; i++) aliases.append("k").append(i).append(": [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n");
    refused(api.call("POST", "/api/rollouts", start(aliases.toString(), "1.0.0")), 400);

    StringBuilder unknown = new StringBuilder(RestApi.example("1h"));
    for (int i = 0; i < 2000; i++) unknown.append("field").append(i).append(": 1\n");
    JsonNode many = refused(api.call("POST", "/api/rollouts", start(unknown.toString(), "1.0.0")), 400);
    assertThat(many.get("details").size()).isEqualTo(ApiError.MAX_DETAILS + 1);
    assertThat(many.get("details").get(ApiError.MAX_DETAILS).asText()).startsWith("… and ");
  }

  @Test
  void nulBytesAndOddPathsAre400AndTheErrorPageIsNever500() throws Exception {
    for (String path : List.of("workflows/a\u0000b.yaml", "\u0000", "workflows/", "workflows", "/etc/passwd", "workflows/../../etc/passwd", "workflows/escape/V1__evil.sql")) {
      Response r = api.call("POST", "/api/rollouts", JSON.createObjectNode().put("definitionPath", path).put("version", "1.0.0").put("triggeredBy", "mallory"));
      refused(r, 400);
    }
    // An encoded NUL in the URL is refused by Tomcat itself, before any servlet: still JSON.
    JsonNode tomcat = refused(api.call("POST", "/api/rollouts/%00/abort", JSON.createObjectNode()), 400);
    assertThat(tomcat.get("error").asText()).contains("malformed");
    refused(api.call("GET", "/error", null), 404);
    refused(api.call("POST", "/error", JSON.createObjectNode()), 404);
  }

  /**
   * A few hundred generated bodies: random mutations of a valid definition (by a service no connection allows, so
   * even a mutation that stays valid cannot start anything) and of JSON bodies, wrong types, huge and odd strings,
   * across the endpoints. Every answer: a 4xx with the usual JSON shape.
   */
  @Test
  void fuzzedBodiesAreAll4xxWithTheUsualShape() throws Exception {
    Random random = new Random(20261124);
    String base = definition("zz-fuzz", "db/expand");
    List<String> endpoints = List.of("/api/rollouts", "/api/rollouts/rollout-zz-fuzz-1.0.0/approve", "/api/rollouts/nope/abort",
        "/api/rollouts/x/pause", "/api/rollouts/rollout-example-1.0.0/reject", "/api/rollouts/%00/retry");
    int sent = 0;
    for (int i = 0; i < 400; i++) {
      String body = switch (i % 5) {
        case 0, 1 -> JSON.writeValueAsString(start(mutate(base, random), random.nextBoolean() ? "1.0.0" : odd(random)));
        case 2 -> mutate(JSON.writeValueAsString(start(base, "1.0.0")), random);
        case 3 -> wrongTypes(random);
        default -> odd(random);
      };
      String endpoint = i % 5 == 0 ? "/api/rollouts" : endpoints.get(random.nextInt(endpoints.size()));
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + endpoint))
          .header("Content-Type", "application/json").header("Authorization", "Bearer " + dev.ringmaster.support.TestTokens.tokenOf("mallory"))
          .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
      HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("#%d %s %s → %s", i, endpoint, abbreviate(body), r.body()).isBetween(400, 499);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).as("#%d %s %s → %s", i, endpoint, abbreviate(body), r.body()).startsWith("application/json");
      JsonNode json = JSON.readTree(r.body());
      assertThat(json.path("error").isTextual()).as("#%d %s", i, r.body()).isTrue();
      assertThat(json.path("details").isArray()).as("#%d %s", i, r.body()).isTrue();
      sent++;
    }
    assertThat(sent).isEqualTo(400);
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "…";
  }

  private static String mutate(String text, Random random) {
    StringBuilder s = new StringBuilder(text);
    int edits = 1 + random.nextInt(6);
    for (int e = 0; e < edits && s.length() > 0; e++) {
      int at = random.nextInt(s.length());
      switch (random.nextInt(6)) {
        case 0 -> s.deleteCharAt(at);
        case 1 -> s.insert(at, "{}[]:,-&*!|>'\"\\\n\t #%@`\u0000\u202e".charAt(random.nextInt(24)));
        case 2 -> s.insert(at, odd(random));
        case 3 -> {
          int end = Math.min(s.length(), at + random.nextInt(80));
          s.insert(at, s.substring(at, end));
        }
        case 4 -> s.setCharAt(at, (char) random.nextInt(0x3000));
        default -> s.delete(at, Math.min(s.length(), at + random.nextInt(200)));
      }
    }
    return s.toString();
  }

  private static String odd(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> "";
      case 1 -> "\u0000\u0001\u0002";
      case 2 -> "a".repeat(1 + random.nextInt(20_000));
      case 3 -> "../../../../etc/passwd";
      case 4 -> "${jndi:ldap://x}";
      case 5 -> "<script>alert(1)</script>";
      case 6 -> "😀".repeat(1 + random.nextInt(500));
      default -> "-1e999999";
    };
  }

  private static String wrongTypes(Random random) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    for (String field : List.of("definition", "definitionPath", "version", "commit", "by", "comment", "reason", "gate")) {
      switch (random.nextInt(6)) {
        case 0 -> body.put(field, random.nextInt());
        case 1 -> body.putArray(field).add("x").add(1);
        case 2 -> body.putObject(field).put("nested", true);
        case 3 -> body.putNull(field);
        case 4 -> body.put(field, random.nextDouble());
        default -> { }
      }
    }
    return JSON.writeValueAsString(body);
  }
}
