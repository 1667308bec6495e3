package dev.ringmaster.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every adapter call is timed in one place, the port's selection point, by port, kind, operation and outcome. */
class AdapterCallMetricsTest {
  interface Port {
    String call(String arg);
  }

  static final class Slow implements Port {
    @Override
    public String call(String arg) {
      switch (arg) {
        case "outage" -> throw new IllegalStateException("connection refused");
        case "gone" -> throw new PermanentFailure("no such flag");
        default -> {
          try {
            Thread.sleep(30);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return "done " + arg;
        }
      }
    }

    @Override
    public String toString() {
      return "slow adapter";
    }
  }

  @Test
  void callsAreTimedByKindAndOperationAndFailuresCountedApartWithTheAdaptersOwnExceptions() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AdapterFactory<Port> factory = new AdapterFactory<>() {
      @Override
      public String kind() {
        return "slowkind";
      }

      @Override
      public Port create(Connection c) {
        return new Slow();
      }
    };
    Adapters<Port> adapters = new Adapters<>("flags", new ConnectionRegistry(Map.of("main", Map.of("kind", "slowkind"))), List.of(factory), meters);
    Port port = adapters.forConnection("main");

    assertThat(port.call("a")).isEqualTo("done a");
    assertThat(port.call("b")).isEqualTo("done b");
    // the adapter's own exception reaches the activity, unwrapped: retry classification depends on it
    assertThatThrownBy(() -> port.call("outage")).isExactlyInstanceOf(IllegalStateException.class).hasMessage("connection refused");
    assertThatThrownBy(() -> port.call("gone")).isExactlyInstanceOf(PermanentFailure.class);
    assertThat(port.toString()).isEqualTo("slow adapter");

    Timer ok = meters.get("ringmaster.adapter.calls").tags("port", "flags", "kind", "slowkind", "operation", "call", "outcome", "ok").timer();
    assertThat(ok.count()).isEqualTo(2);
    assertThat(ok.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(60);
    assertThat(meters.get("ringmaster.adapter.calls").tags("outcome", "failed").timer().count()).isEqualTo(1);
    assertThat(meters.get("ringmaster.adapter.calls").tags("outcome", "permanent").timer().count()).isEqualTo(1);
    assertThat(meters.find("ringmaster.adapter.calls").timers()).hasSize(3); // toString was not counted
  }
}
