package dev.ringmaster.deploy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.deploy.DeployOutcome;
import dev.ringmaster.deploy.DeployTarget;
import dev.ringmaster.deploy.Deployer;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The http deployer against a local webhook receiver that verifies signatures with its own code. */
class HttpDeployerTest {
  FakePlatform platform;
  Deployer deployer;
  final DeployTarget target = new DeployTarget("hooks", "rollout-checkout-1.4.2", "checkout", Map.of("environment", "prod"));

  @BeforeEach
  void start() throws Exception {
    platform = new FakePlatform(System.getenv("RINGMASTER_TEST_DEPLOY_SECRET"), "1.4.1");
    deployer = deployer(Map.of());
  }

  @AfterEach
  void stop() {
    platform.close();
  }

  Deployer deployer(Map<String, String> overrides) {
    Map<String, String> s = new HashMap<>(Map.of("kind", "http", "deploy-url", platform.url("/deploy"),
        "current-version-url", platform.url("/version"), "secret-env", "RINGMASTER_TEST_DEPLOY_SECRET", "poll-interval", "10ms", "deadline", "2s"));
    s.putAll(overrides);
    return new HttpDeployer(new Connection("hooks", "http", s), HttpClient.newHttpClient(), Clock.systemUTC());
  }

  @Test
  void deploysWithASignedRequestAndPollsUntilReady() {
    assertThat(deployer.currentVersion(target)).hasValue("1.4.1");
    DeployOutcome o = deployer.deploy(target, "1.4.2");
    assertThat(o.version()).isEqualTo("1.4.2");
    assertThat(o.output()).isEqualTo("deploy 1.4.2: ready after 3 status check(s)");
    assertThat(o.timeToReady()).isPositive();
    assertThat(platform.accepted).containsExactly(new FakePlatform.Accepted("deploy", "1.4.2", "rollout-checkout-1.4.2", "rollout-checkout-1.4.2/deploy/1.4.2"));
    assertThat(platform.running).isEqualTo("1.4.2");
    assertThat(platform.rejected).hasValue(0);
    assertThat(platform.verified.get()).isEqualTo(1 + 1 + 3); // version, deploy, three status checks
  }

  @Test
  void aRetriedDeployCarriesTheSameIdempotencyKeySoTheReceiverDeploysOnce() {
    deployer.deploy(target, "1.4.2");
    deployer.deploy(target, "1.4.2");
    assertThat(platform.accepted).hasSize(1);
  }

  @Test
  void rollbackPostsThePreviousVersion() {
    deployer.deploy(target, "1.4.2");
    DeployOutcome back = deployer.rollback(target, "1.4.1");
    assertThat(back.output()).startsWith("rollback 1.4.1: ready");
    assertThat(platform.accepted).extracting(FakePlatform.Accepted::action, FakePlatform.Accepted::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("deploy", "1.4.2"), org.assertj.core.groups.Tuple.tuple("rollback", "1.4.1"));
    assertThat(platform.running).isEqualTo("1.4.1");
  }

  @Test
  void aFailedDeployIsPermanentWithThePlatformsMessage() {
    platform.outcome = "failed";
    assertThatThrownBy(() -> deployer.deploy(target, "1.4.2")).isInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'hooks': the deploy of 1.4.2 failed: readiness probe failed: HTTP 503 on /healthz");
    assertThat(platform.running).isEqualTo("1.4.1");
  }

  @Test
  void aDeployStillPendingAtTheDeadlineFails() {
    platform.pendingPolls = 1_000_000;
    assertThatThrownBy(() -> deployer(Map.of("deadline", "300ms")).deploy(target, "1.4.2")).isInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'hooks': 1.4.2 was not ready within 300ms; last state 'pending': 2 of 3 pods ready");
  }

  @Test
  void aWrongSecretIsRefusedByTheReceiverAndThatIsPermanent() {
    Deployer wrong = deployer(Map.of("secret-env", "RINGMASTER_TEST_DEPLOY_WRONG_SECRET"));
    assertThatThrownBy(() -> wrong.deploy(target, "1.4.2")).isInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'hooks': POST " + platform.url("/deploy") + " answered 401: invalid or stale signature")
        .hasMessageNotContaining(System.getenv("RINGMASTER_TEST_DEPLOY_WRONG_SECRET"));
    assertThat(platform.rejected).hasValue(1);
    assertThat(platform.accepted).isEmpty();
  }

  @Test
  void aStaleTimestampIsRefused() {
    Deployer stale = new HttpDeployer(new Connection("hooks", "http", Map.of("kind", "http", "deploy-url", platform.url("/deploy"),
        "secret-env", "RINGMASTER_TEST_DEPLOY_SECRET")), HttpClient.newHttpClient(), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-6)));
    assertThatThrownBy(() -> stale.deploy(target, "1.4.2")).isInstanceOf(PermanentFailure.class).hasMessageContaining("answered 401");
  }

  @Test
  void errorsAreClassifiedPermanentOrRetried() throws Exception {
    platform.forced.add(new int[] {422});
    assertThatThrownBy(() -> deployer.deploy(target, "1.4.2")).isInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'hooks': POST " + platform.url("/deploy") + " answered 422: unknown service 'checkout' in environment prod");
    platform.forced.add(new int[] {503});
    assertThatThrownBy(() -> deployer.deploy(target, "1.4.2")).isNotInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'hooks': POST " + platform.url("/deploy") + " answered 503: platform busy");
    platform.forced.add(new int[] {429, 30});
    assertThatThrownBy(() -> deployer.deploy(target, "1.4.2")).isNotInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'hooks': POST " + platform.url("/deploy") + " answered 429: platform busy (Retry-After: 30 s)");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Deployer down = deployer(Map.of("deploy-url", "http://127.0.0.1:" + closed + "/deploy"));
    assertThatThrownBy(() -> down.deploy(target, "1.4.2")).isNotInstanceOf(PermanentFailure.class)
        .hasMessageStartingWith("connection 'hooks': POST http://127.0.0.1:" + closed + "/deploy failed: java.net.ConnectException");
    assertThat(platform.accepted).isEmpty();
  }

  @Test
  void nothingRunningYetIsAnEmptyVersionAndAMissingSecretIsNamed() {
    platform.running = null;
    assertThat(deployer.currentVersion(target)).isEmpty();
    assertThatThrownBy(() -> deployer(Map.of("secret-env", "RINGMASTER_TEST_NO_SUCH_VARIABLE"))).isInstanceOf(PermanentFailure.class)
        .hasMessage("connection 'hooks': environment variable RINGMASTER_TEST_NO_SUCH_VARIABLE (secret) is not set");
  }
}
