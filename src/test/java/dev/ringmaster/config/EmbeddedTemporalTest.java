package dev.ringmaster.config;

import dev.ringmaster.devserver.LoopbackTestServer;
import java.net.InetSocketAddress;
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
}
