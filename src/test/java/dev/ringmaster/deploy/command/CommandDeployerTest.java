package dev.ringmaster.deploy.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.connection.Redactor;
import dev.ringmaster.deploy.DeployTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandDeployerTest {
  static final DeployTarget TARGET = new DeployTarget("deploy", "rollout-checkout-1.4.2", "checkout", Map.of());
  @TempDir Path dir;

  CommandDeployer deployer(Map<String, String> settings) {
    Map<String, String> s = new HashMap<>(settings);
    s.put("workdir", dir.toString());
    return new CommandDeployer(new Connection("deploy", "command", s));
  }

  @Test
  void deploysWithTheVersionSubstitutedAndReadsTheCurrentVersion() throws Exception {
    CommandDeployer d = deployer(Map.of(
        "deploy", "echo \"$RINGMASTER_ROLLOUT_ID\" > rollout && echo {version} > running && echo deployed {version}",
        "current-version", "cat running 2>/dev/null || true"));
    assertThat(d.currentVersion(TARGET)).isEmpty();
    var outcome = d.deploy(TARGET, "1.4.2");
    assertThat(outcome.version()).isEqualTo("1.4.2");
    assertThat(outcome.output()).isEqualTo("deployed 1.4.2");
    assertThat(Files.readString(dir.resolve("rollout")).strip()).isEqualTo("rollout-checkout-1.4.2");
    assertThat(d.currentVersion(TARGET)).contains("1.4.2");
    d.rollback(TARGET, "1.4.1");
    assertThat(d.currentVersion(TARGET)).contains("1.4.1");
  }

  @Test
  void aFailingCommandIsRetryableAndAMissingOneIsNot() {
    assertThatThrownBy(() -> deployer(Map.of("deploy", "echo boom; exit 3")).deploy(TARGET, "1.4.2"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("failed with exit code 3").hasMessageContaining("boom");
    assertThatThrownBy(() -> deployer(Map.of("deploy", "./no-such-script {version}")).deploy(TARGET, "1.4.2"))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("exit 127");
    assertThatThrownBy(() -> deployer(Map.of()).deploy(TARGET, "1.4.2"))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("needs the setting 'deploy'");
  }

  @Test
  void aCommandThatHangsIsKilledAtItsTimeout() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> deployer(Map.of("deploy", "echo waiting; sleep 30", "timeout", "1s")).deploy(TARGET, "1.4.2"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("did not finish within 1s");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(15_000);
  }

  @Test
  void versionsThatCouldInjectShellAreRefused() {
    assertThatThrownBy(() -> deployer(Map.of("deploy", "echo {version}")).deploy(TARGET, "1.0; rm -rf /"))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("not safe in a command line");
  }

  @Test
  void secretsInCommandOutputAreRedacted() {
    assertThat(Redactor.redact("token is s3cr3t-value here", Map.of("UNLEASH_ADMIN_TOKEN", "s3cr3t-value", "HOME", "/root")))
        .isEqualTo("token is ***UNLEASH_ADMIN_TOKEN*** here");
  }

  @Test
  void overlappingSecretsInARealScriptsOutputNeverShowAPartOfEitherOne() {
    // RINGMASTER_TEST_OVERLAP_API_TOKEN's value is a prefix of RINGMASTER_TEST_OVERLAP_API_TOKEN2's (pom.xml); the
    // variable named only by a connection's *-env setting has no secret word in its name.
    new dev.ringmaster.connection.ConnectionRegistry(Map.of("some-store", Map.of("kind", "x", "token-env", "RINGMASTER_TEST_NAMED_BY_CONNECTION")));
    var out = deployer(Map.of("deploy",
        "echo \"a=$RINGMASTER_TEST_OVERLAP_API_TOKEN b=$RINGMASTER_TEST_OVERLAP_API_TOKEN2 ab=$RINGMASTER_TEST_OVERLAP_API_TOKEN$RINGMASTER_TEST_OVERLAP_API_TOKEN2 c=$RINGMASTER_TEST_NAMED_BY_CONNECTION short=$RINGMASTER_TEST_DB_PASSWORD\"; exit 1"));
    assertThatThrownBy(() -> out.deploy(TARGET, "1.4.2")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a=***RINGMASTER_TEST_OVERLAP_API_TOKEN*** b=***RINGMASTER_TEST_OVERLAP_API_TOKEN2*** "
            + "ab=***RINGMASTER_TEST_OVERLAP_API_TOKEN******RINGMASTER_TEST_OVERLAP_API_TOKEN2*** c=***RINGMASTER_TEST_NAMED_BY_CONNECTION*** short=***RINGMASTER_TEST_DB_PASSWORD***")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("tok-overlap").doesNotContain("and-more").doesNotContain("plain-looking"));
  }

  @Test
  void redactionMergesOverlapsAndSkipsValuesShorterThanFourCharacters() {
    Map<String, String> env = Map.of("A_TOKEN", "abcdef", "B_SECRET", "defghi", "C_KEY", "abc", "HOME", "abcdefghi");
    assertThat(Redactor.redact("x abcdefghi y abc", env)).isEqualTo("x ***A_TOKEN*** y abc");
    assertThat(Redactor.redact("defghi abcdef", env)).isEqualTo("***B_SECRET*** ***A_TOKEN***");
  }
}
