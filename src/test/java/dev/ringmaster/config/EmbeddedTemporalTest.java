package dev.ringmaster.config;

import dev.ringmaster.devserver.DevServerLauncher;
import dev.ringmaster.devserver.LoopbackTestServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedTemporalTest {

  @Test
  void theEmbeddedServerListensOnLoopbackOnly() {
    try (LoopbackTestServer server = LoopbackTestServer.start(0)) {
      assertThat(server.grpc().getListenSockets()).isNotEmpty().allSatisfy(a ->
          assertThat(((InetSocketAddress) a).getAddress().isLoopbackAddress()).isTrue());
      assertThat(server.port()).isPositive();
    }
  }

  @Test
  void aPortInUseIsAClearErrorNamingTheWayOut() {
    try (LoopbackTestServer first = LoopbackTestServer.start(0)) {
      assertThatThrownBy(() -> LoopbackTestServer.start(first.port()))
          .hasMessageContaining("port " + first.port() + " on 127.0.0.1 is already in use")
          .hasMessageContaining("ringmaster.temporal.embedded-port=0");
    }
  }

  @Test
  void aDevServerJvmOptionTheJvmRefusesIsAClearErrorAtOnce(@TempDir Path dir) {
    Path pidFile = dir.resolve("temporal-dev-server.pid");
    assertThatThrownBy(() -> DevServerLauncher.ensureRunning(pidFile, 0, "-Dsome.password=hunter2-secret -XX:+NoSuchRingmasterOption"))
        .hasMessageContaining("the Temporal dev server exited during start-up") // seen as it exits, not after 30 s without an answer
        .hasMessageContaining("ringmaster.temporal.dev-server-jvm-options")
        .hasMessageContaining("Unrecognized VM option 'NoSuchRingmasterOption'")
        .hasMessageNotContaining("hunter2-secret"); // the options are not repeated: a -D option may hold a password
    assertThat(pidFile).doesNotExist();
  }
}
