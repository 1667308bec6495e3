package dev.ringmaster.flags.unleash;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.flags.FlagProvider;
import dev.ringmaster.flags.FlagTarget;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How the unleash adapter classifies what a real Unleash cannot be made to answer on demand: 5xx, 429 with
 * Retry-After, and no server at all are retried (not permanent). Credentials and missing projects are proven
 * against the real server in {@link UnleashProviderTest}.
 */
class UnleashErrorsTest {
  static final FlagTarget FLAG = new FlagTarget("unleash-dev", "new-checkout-flow", "r", "team", null);

  static FlagProvider provider(String url) {
    return new UnleashProviderFactory().create(new Connection("unleash-dev", "unleash",
        Map.of("kind", "unleash", "url", url, "token-env", "RINGMASTER_TEST_UNLEASH_TOKEN", "timeout", "2s")));
  }

  @Test
  void serverErrorsRateLimitsAndAnUnreachableServerAreRetried() throws Exception {
    AtomicInteger status = new AtomicInteger(503);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", x -> {
      byte[] body = "{\"message\":\"database is restarting\"}".getBytes(StandardCharsets.UTF_8);
      if (status.get() == 429) x.getResponseHeaders().add("Retry-After", "5");
      x.sendResponseHeaders(status.get(), body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.start();
    try {
      FlagProvider p = provider("http://127.0.0.1:" + server.getAddress().getPort());
      assertThatThrownBy(() -> p.killSwitch(FLAG)).isNotInstanceOf(PermanentFailure.class)
          .hasMessage("connection 'unleash-dev': Unleash, turn environment development off: answered 503: database is restarting");
      status.set(429);
      assertThatThrownBy(() -> p.killSwitch(FLAG)).isNotInstanceOf(PermanentFailure.class)
          .hasMessage("connection 'unleash-dev': Unleash, turn environment development off: answered 429 (Retry-After: 5 s): database is restarting");
    } finally {
      server.stop(0);
    }
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThatThrownBy(() -> provider("http://127.0.0.1:" + closed).killSwitch(FLAG)).isNotInstanceOf(PermanentFailure.class)
        .hasMessageStartingWith("connection 'unleash-dev': Unleash at http://127.0.0.1:" + closed + " is unreachable");
  }
}
