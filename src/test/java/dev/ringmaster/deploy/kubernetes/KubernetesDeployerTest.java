package dev.ringmaster.deploy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.deploy.DeployOutcome;
import dev.ringmaster.deploy.DeployTarget;
import dev.ringmaster.deploy.Deployer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kubernetes deployer against fabric8's API mock in CRUD mode, the test playing the Deployment controller. */
class KubernetesDeployerTest {
  FakeCluster cluster;
  Deployer deployer;
  final DeployTarget target = new DeployTarget("k8s", "rollout-checkout-1.4.2", "checkout",
      Map.of("namespace", "shop", "deployment", "checkout", "container", "app"));

  @BeforeEach
  void start() {
    cluster = new FakeCluster();
    cluster.deployment("shop", "checkout", "registry.example:5000/shop/checkout:1.4.1", 3);
    deployer = deployer(Map.of("timeout", "3s"));
  }

  Deployer deployer(Map<String, String> settings) {
    Map<String, String> s = new HashMap<>(settings);
    s.put("kind", "kubernetes");
    s.put("poll-interval", "20ms");
    return new KubernetesDeployer(new Connection("k8s", "kubernetes", s), cluster.client);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void capturesTheTagSetsTheNewImageAnnotatesAndWaitsUntilEveryReplicaServes() {
    assertThat(deployer.currentVersion(target)).hasValue("1.4.1");
    DeployOutcome o = deployer.deploy(target, "1.4.2");
    assertThat(o.previousVersion()).isEqualTo("1.4.1");
    assertThat(o.version()).isEqualTo("1.4.2");
    assertThat(o.timeToReady()).isPositive();
    assertThat(o.output()).isEqualTo("image registry.example:5000/shop/checkout:1.4.1 → registry.example:5000/shop/checkout:1.4.2; "
        + "3/3 replicas ready and available");
    var d = cluster.get("shop", "checkout");
    assertThat(d.getSpec().getTemplate().getSpec().getContainers()).extracting(c -> c.getName() + "=" + c.getImage())
        .containsExactly("app=registry.example:5000/shop/checkout:1.4.2", "sidecar=envoy:1.30");
    assertThat(d.getMetadata().getAnnotations()).containsEntry("ringmaster.dev/rollout-id", "rollout-checkout-1.4.2")
        .containsEntry("ringmaster.dev/version", "1.4.2");
    assertThat(deployer.currentVersion(target)).hasValue("1.4.2");
  }

  @Test
  void aRetriedDeployDoesNotRollThePodsTwice() {
    deployer.deploy(target, "1.4.2");
    DeployOutcome again = deployer.deploy(target, "1.4.2");
    assertThat(again.output()).startsWith("image registry.example:5000/shop/checkout:1.4.2 was already set; waited for it");
    assertThat(cluster.rolledOut).containsExactly("registry.example:5000/shop/checkout:1.4.2");
  }

  @Test
  void rollbackPutsTheCapturedImageBackAndWaitsTheSameWay() {
    String previous = deployer.currentVersion(target).orElseThrow();
    deployer.deploy(target, "1.4.2");
    DeployOutcome back = deployer.rollback(target, previous);
    assertThat(back.version()).isEqualTo("1.4.1");
    assertThat(back.output()).endsWith("3/3 replicas ready and available");
    assertThat(cluster.rolledOut).containsExactly("registry.example:5000/shop/checkout:1.4.2", "registry.example:5000/shop/checkout:1.4.1");
    assertThat(deployer.currentVersion(target)).hasValue("1.4.1");
  }

  @Test
  void progressDeadlineExceededFailsWithKubernetesReason() {
    cluster.behaviour = FakeCluster.Behaviour.DEADLINE_EXCEEDED;
    assertThatThrownBy(() -> deployer.deploy(target, "1.4.2"))
        .isInstanceOf(PermanentFailure.class)
        .hasMessage("Deployment shop/checkout did not roll out registry.example:5000/shop/checkout:1.4.2: ProgressDeadlineExceeded: "
            + "ReplicaSet \"checkout-7d9f\" has timed out progressing.");
  }

  @Test
  void aCrashLoopingNewPodFailsTheStepWithThePodsReason() {
    cluster.behaviour = FakeCluster.Behaviour.CRASH_LOOP;
    assertThatThrownBy(() -> deployer.deploy(target, "1.4.2"))
        .isInstanceOf(PermanentFailure.class)
        .hasMessage("Deployment shop/checkout did not roll out registry.example:5000/shop/checkout:1.4.2: pod checkout-7d9f-x1: container app "
            + "is in CrashLoopBackOff (back-off 40s restarting failed container=app), restarts 4");
  }

  @Test
  void aRolloutThatStopsProgressingFailsAtOurDeadlineSayingWhatItWaitsFor() {
    cluster.behaviour = FakeCluster.Behaviour.STUCK;
    assertThatThrownBy(() -> deployer.deploy(target, "1.4.2"))
        .isInstanceOf(PermanentFailure.class)
        .hasMessage("Deployment shop/checkout did not roll out registry.example:5000/shop/checkout:1.4.2 within 3s: still 1 of 3 replicas updated");
  }

  @Test
  void aMissingDeploymentOrContainerIsPermanentAndNamesIt() {
    DeployTarget missing = new DeployTarget("k8s", "r", "checkout", Map.of("namespace", "shop", "deployment", "nope", "container", "app"));
    assertThatThrownBy(() -> deployer.currentVersion(missing)).isInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'k8s': Deployment shop/nope does not exist");
    DeployTarget noContainer = new DeployTarget("k8s", "r", "checkout", Map.of("namespace", "shop", "deployment", "checkout", "container", "web"));
    assertThatThrownBy(() -> deployer.deploy(noContainer, "1.4.2")).isInstanceOf(PermanentFailure.class)
        .hasMessage("Deployment shop/checkout has no container 'web'; it has [app, sidecar]");
    assertThatThrownBy(() -> deployer.deploy(target, "1.4.2; rm -rf /")).isInstanceOf(PermanentFailure.class)
        .hasMessage("version '1.4.2; rm -rf /' is not a valid image tag or sha256 digest");
  }

  @Test
  void imagesWithRegistryPortsAndDigestsParse() {
    assertThat(Image.parse("registry:5000/app")).isEqualTo(new Image("registry:5000/app", null));
    assertThat(Image.parse("registry:5000/app:2.0")).isEqualTo(new Image("registry:5000/app", "2.0"));
    String digest = "sha256:" + "a".repeat(64);
    assertThat(Image.parse("app@" + digest)).isEqualTo(new Image("app", digest));
    assertThat(new Image("app", digest).toString()).isEqualTo("app@" + digest);
  }

  /** Error classification against a mock in expectations mode: the API server's status codes and messages. */
  @Test
  void forbiddenIsPermanentWithTheServersMessageAndServerErrorsAreRetried() {
    KubernetesMockServer api = new KubernetesMockServer(false);
    api.init(java.net.InetAddress.getLoopbackAddress(), 0);
    // Without its own retries, so the 503 reaches the deployer (the factory allows fabric8 two quick retries).
    try (var client = api.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig())) {
      String path = "/apis/apps/v1/namespaces/shop/deployments/checkout";
      api.expect().get().withPath(path).andReturn(403, status(403, "Forbidden",
          "deployments.apps \"checkout\" is forbidden: User \"system:serviceaccount:ci:ringmaster\" cannot get resource \"deployments\"")).once();
      api.expect().get().withPath(path).andReturn(503, status(503, "ServiceUnavailable", "etcdserver: leader changed")).once();
      Deployer d = new KubernetesDeployer(new Connection("k8s", "kubernetes", Map.of("kind", "kubernetes")), client);
      assertThatThrownBy(() -> d.currentVersion(target)).isInstanceOf(PermanentFailure.class)
          .hasMessage("connection 'k8s', read Deployment shop/checkout: the Kubernetes API answered 403: deployments.apps \"checkout\" is forbidden: "
              + "User \"system:serviceaccount:ci:ringmaster\" cannot get resource \"deployments\"");
      assertThatThrownBy(() -> d.currentVersion(target)).isNotInstanceOf(PermanentFailure.class)
          .hasMessageContaining("connection 'k8s', read Deployment shop/checkout: the Kubernetes API answered 503: etcdserver: leader changed");
    } finally {
      api.destroy();
    }
  }

  private static String status(int code, String reason, String message) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + code + ",\"reason\":\"" + reason
        + "\",\"message\":\"" + message.replace("\"", "\\\"") + "\"}";
  }
}
