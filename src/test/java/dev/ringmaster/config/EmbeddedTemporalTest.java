package dev.ringmaster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class EmbeddedTemporalTest {

  @Test
  void theEmbeddedServerListensOnLoopbackOnly() {
    try (EmbeddedTemporal.Running server = EmbeddedTemporal.start(0)) {
      assertThat(server.grpc().getListenSockets()).isNotEmpty().allSatisfy(a ->
          assertThat(((InetSocketAddress) a).getAddress().isLoopbackAddress()).isTrue());
      assertThat(server.port()).isPositive();
    }
  }

  @Test
  void aPortInUseIsAClearErrorNamingTheWayOut() {
    try (EmbeddedTemporal.Running first = EmbeddedTemporal.start(0)) {
      assertThatThrownBy(() -> EmbeddedTemporal.start(first.port()))
          .hasMessageContaining("port " + first.port() + " on 127.0.0.1 is already in use")
          .hasMessageContaining("ringmaster.temporal.embedded-port=0");
    }
  }
}
