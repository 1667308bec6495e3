package dev.ringmaster.deploy.http;

import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.deploy.Deployer;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Connections of kind {@code http}: {@code deploy-url}, {@code current-version-url}, optional {@code status-url}
 * (template), {@code secret-env} (environment variable holding the HMAC secret), {@code poll-interval} (2s),
 * {@code deadline} (10m), {@code request-timeout} (10s).
 */
@Component
class HttpDeployerFactory implements AdapterFactory<Deployer> {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Override
  public String kind() {
    return "http";
  }

  @Override
  public Deployer create(Connection c) {
    return new HttpDeployer(c, http, Clock.systemUTC());
  }
}
