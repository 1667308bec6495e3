package dev.ringmaster.support;

import dev.ringmaster.analysis.MetricSource;
import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.ConnectionRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Metric sources the test says, behind the connection {@code prom} (kind {@code prometheus}) the test definitions name. */
public final class TestSources {
  private TestSources() {}

  /** {@code source} behind {@code prom}. */
  public static Adapters<MetricSource> prom(MetricSource source) {
    return prom(Map.of(), () -> source);
  }

  /** {@code prom} with these settings (besides its kind); each adapter the registry creates comes from {@code sources}. */
  public static Adapters<MetricSource> prom(Map<String, String> settings, Supplier<MetricSource> sources) {
    Map<String, String> all = new HashMap<>(settings);
    all.put("kind", "prometheus");
    AdapterFactory<MetricSource> factory = new AdapterFactory<>() {
      @Override
      public String kind() {
        return "prometheus";
      }

      @Override
      public MetricSource create(Connection c) {
        return sources.get();
      }
    };
    return new Adapters<>("analysis", new ConnectionRegistry(Map.of("prom", all)), List.of(factory));
  }
}
