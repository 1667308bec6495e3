package dev.ringmaster.flags.unleash;

import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.flags.FlagProvider;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** Connections of kind {@code unleash}: {@code url}, {@code token-env}, {@code project}, {@code environment}, {@code tenant-field}, {@code timeout}. */
@Component
public class UnleashProviderFactory implements AdapterFactory<FlagProvider> {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public String kind() {
    return "unleash";
  }

  @Override
  public FlagProvider create(Connection c) {
    return new UnleashProvider(c, http);
  }
}
