package dev.ringmaster.analysis.openmetrics;

import dev.ringmaster.analysis.MetricSource;
import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Connection;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** Connections of kind {@code openmetrics}: {@code url} (the service's /metrics), {@code window}, {@code timeout}, {@code token-env}. */
@Component
public class OpenMetricsSourceFactory implements AdapterFactory<MetricSource> {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public String kind() {
    return "openmetrics";
  }

  @Override
  public MetricSource create(Connection c) {
    return new OpenMetricsSource(c, http);
  }
}
