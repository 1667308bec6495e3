package dev.ringmaster.api;

import static dev.ringmaster.api.RestApi.JSON;
import static dev.ringmaster.api.RestApi.example;
import static dev.ringmaster.api.RestApi.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmaster.api.RestApi.Response;
import dev.ringmaster.deploy.http.FakePlatform;
import dev.ringmaster.deploy.kubernetes.FakeCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * workflows/example.yaml over the REST API with its deploy going through each deploy adapter, aborted mid-soak:
 * the kubernetes adapter against fabric8's API mock (CRUD mode, the test playing the Deployment controller; no
 * cluster runs here) and the http adapter against a local webhook receiver that checks every signature.
 */
// Closed when the class is done, while the JVM still runs: its embedded PostgreSQL stops instead of outliving the tests.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeployAdaptersEndToEndTest {
  @TempDir static Path dir;
  static final FakeCluster CLUSTER = new FakeCluster();
  static final FakePlatform PLATFORM;

  static {
    try {
      PLATFORM = new FakePlatform(System.getenv("RINGMASTER_TEST_DEPLOY_SECRET"), "1.0.0");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CLUSTER.deployment("shop", "example", "registry.example/shop/example:1.0.0", 2);
    CLUSTER.deployment("pinned", "example", "registry.example/pinned/example:1.0.0", 1);
  }

  @LocalServerPort int port;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    RestApi.localConnectionsIn(dir, r);
    r.add("ringmaster.connections.k8s.kind", () -> "kubernetes");
    r.add("ringmaster.connections.k8s.master-url", CLUSTER::masterUrl);
    r.add("ringmaster.connections.k8s.poll-interval", () -> "50ms");
    r.add("ringmaster.connections.k8s.timeout", () -> "20s");
    // The same cluster through a connection that pins the namespace and constrains deployment and image.
    r.add("ringmaster.connections.k8s-pinned.kind", () -> "kubernetes");
    r.add("ringmaster.connections.k8s-pinned.master-url", CLUSTER::masterUrl);
    r.add("ringmaster.connections.k8s-pinned.poll-interval", () -> "50ms");
    r.add("ringmaster.connections.k8s-pinned.services", () -> "example");
    r.add("ringmaster.connections.k8s-pinned.target.namespace", () -> "pinned");
    r.add("ringmaster.connections.k8s-pinned.target.deployment", () -> "example, example-worker");
    r.add("ringmaster.connections.k8s-pinned.target.image", () -> "registry.example/pinned/*");
    r.add("ringmaster.connections.hooks.kind", () -> "http");
    r.add("ringmaster.connections.hooks.deploy-url", () -> PLATFORM.url("/deploy"));
    r.add("ringmaster.connections.hooks.current-version-url", () -> PLATFORM.url("/version"));
    r.add("ringmaster.connections.hooks.secret-env", () -> "RINGMASTER_TEST_DEPLOY_SECRET");
    r.add("ringmaster.connections.hooks.poll-interval", () -> "50ms");
  }

  @AfterAll
  static void stopServers() {
    CLUSTER.close();
    PLATFORM.close();
  }

  static String deployingWith(String connection, String target) throws IOException {
    return example("1h").replace("  deploy:\n    connection: local-deploy\n", "  deploy:\n    connection: " + connection + "\n" + target);
  }

  /** Starts, waits for the first ring's soak, aborts; returns the final status. */
  JsonNode abortedMidSoak(String yaml, String version) throws Exception {
    RestApi api = new RestApi(port);
    Response started = api.call("POST", "/api/rollouts", start(yaml, version));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    String id = started.body().get("id").asText();
    api.awaitStatus(id, "phase", "SOAKING");
    api.call("POST", "/api/rollouts/" + id + "/abort", JSON.createObjectNode().put("by", "sre-on-call").put("reason", "error budget"));
    api.awaitStatus(id, "state", "ROLLED_BACK");
    JsonNode status = api.status(id);
    for (JsonNode e : api.call("GET", "/api/rollouts/" + id + "/history", null).body()) {
      if (e.get("type").asText().equals("activity_task_completed") && e.path("step").asText().equals("DeployVersion")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) status).set("deployResult", JSON.readTree(e.get("detail").asText()));
      }
    }
    return status;
  }

  @Test
  void kubernetesRolloutAbortedMidSoakEndsWithThePreviousImageBack() throws Exception {
    JsonNode status = abortedMidSoak(deployingWith("k8s", "    target: { namespace: shop, deployment: example, container: app }\n"), "1.1.0");
    assertThat(status.get("previousVersion").asText()).isEqualTo("1.0.0");
    assertThat(status.get("rollbackSteps").toString()).contains("RedeployPrevious: 1.0.0 ready in");
    assertThat(CLUSTER.rolledOut).filteredOn(i -> i.contains("/shop/")).containsExactly("registry.example/shop/example:1.1.0", "registry.example/shop/example:1.0.0");
    assertThat(CLUSTER.get("shop", "example").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.example/shop/example:1.0.0");
    JsonNode deployed = status.get("deployResult");
    assertThat(deployed.get("previousVersion").asText()).isEqualTo("1.0.0");
    assertThat(deployed.get("version").asText()).isEqualTo("1.1.0");
    assertThat(deployed.get("timeToReady").asDouble()).isPositive();
    assertThat(deployed.get("output").asText()).endsWith("2/2 replicas ready and available");
  }

  @Test
  void httpRolloutAbortedMidSoakEndsWithThePreviousVersionBack() throws Exception {
    JsonNode status = abortedMidSoak(deployingWith("hooks", "    target: { environment: prod }\n"), "1.2.0");
    assertThat(status.get("previousVersion").asText()).isEqualTo("1.0.0");
    assertThat(PLATFORM.running).isEqualTo("1.0.0");
    assertThat(PLATFORM.accepted).extracting(FakePlatform.Accepted::action, FakePlatform.Accepted::version).containsExactly(
        org.assertj.core.groups.Tuple.tuple("deploy", "1.2.0"), org.assertj.core.groups.Tuple.tuple("rollback", "1.0.0"));
    assertThat(PLATFORM.rejected).hasValue(0);
    JsonNode deployed = status.get("deployResult");
    assertThat(deployed.get("previousVersion").asText()).isEqualTo("1.0.0");
    assertThat(deployed.get("output").asText()).startsWith("deploy 1.2.0: ready after");
  }

  @Test
  void aConnectionsPinnedNamespaceIsFilledInAndItsConstraintsRefuseAnyOtherTarget() throws Exception {
    RestApi api = new RestApi(port);
    Response elsewhere = api.call("POST", "/api/rollouts", start(deployingWith("k8s-pinned",
        "    target: { namespace: shop, deployment: example, container: app }\n"), "1.3.0"));
    assertThat(elsewhere.status()).isEqualTo(400);
    assertThat(elsewhere.body().get("details").toString()).contains("spec.deploy.target.namespace: 'shop' is not allowed by connection 'k8s-pinned'");
    assertThat(CLUSTER.get("shop", "example").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .as("nothing deployed").isEqualTo("registry.example/shop/example:1.0.0");

    // No namespace in the definition: the connection's pinned one is used.
    JsonNode status = abortedMidSoak(deployingWith("k8s-pinned", "    target: { deployment: example, container: app, image: registry.example/pinned/example }\n"), "1.3.0");
    assertThat(status.get("previousVersion").asText()).isEqualTo("1.0.0");
    assertThat(CLUSTER.rolledOut).contains("registry.example/pinned/example:1.3.0");
    assertThat(CLUSTER.get("pinned", "example").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.example/pinned/example:1.0.0");
  }
}
