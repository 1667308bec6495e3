package dev.ringmaster.support;

import dev.ringmaster.analysis.MetricReading;
import dev.ringmaster.analysis.MetricSource;
import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * A metric source inside the worker process, for the scale benchmark: healthy canary and control with a little noise,
 * no network, so what is measured is Ringmaster's own cost. Only in the {@code scale-benchmark} profile (a real
 * Ringmaster process started with the test class path), never in the product.
 */
@Component
@Profile("scale-benchmark")
public class SyntheticMetrics implements AdapterFactory<MetricSource> {
  @Override
  public String kind() {
    return "synthetic";
  }

  @Override
  public MetricSource create(Connection c) {
    return new MetricSource() {
      @Override
      public MetricReading read(Metric m) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new MetricReading(m.name(), 0.01 + r.nextDouble(0.002), 0.01 + r.nextDouble(0.002), 1000.0 + r.nextInt(100));
      }

      @Override
      public void check(Metric m) {}
    };
  }
}
