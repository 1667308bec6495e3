package dev.ringmaster.analysis.prometheus;

import dev.ringmaster.analysis.MetricSource;
import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Connection;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** Connections of kind {@code prometheus}: {@code url}, optional {@code token-env}, {@code timeout}. */
@Component
public class PrometheusSourceFactory implements AdapterFactory<MetricSource> {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public String kind() {
    return "prometheus";
  }

  @Override
  public MetricSource create(Connection c) {
    return new PrometheusSource(c, http);
  }
}
