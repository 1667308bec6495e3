package dev.ringmaster.flags.launchdarkly;

import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.flags.FlagProvider;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** Connections of kind {@code launchdarkly}: {@code url}, {@code token-env}, {@code project}, {@code environment}, {@code tenant-field}, {@code context-kind}. */
@Component
public class LaunchDarklyProviderFactory implements AdapterFactory<FlagProvider> {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public String kind() {
    return "launchdarkly";
  }

  @Override
  public FlagProvider create(Connection c) {
    return new LaunchDarklyProvider(c, http);
  }
}
