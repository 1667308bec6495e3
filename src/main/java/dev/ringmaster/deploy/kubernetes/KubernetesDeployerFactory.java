package dev.ringmaster.deploy.kubernetes;

import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.deploy.Deployer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Connections of kind {@code kubernetes}. The cluster comes from the usual places (in-cluster service account,
 * {@code KUBECONFIG}, {@code ~/.kube/config}); settings may narrow it: {@code context} (kubeconfig context),
 * {@code master-url}, {@code token-env} (environment variable holding a bearer token), {@code trust-certs}; and
 * {@code poll-interval} (default 2s), {@code timeout} (default: the Deployment's progressDeadlineSeconds + 30s).
 */
@Component
class KubernetesDeployerFactory implements AdapterFactory<Deployer>, DisposableBean {
  private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();

  @Override
  public String kind() {
    return "kubernetes";
  }

  @Override
  public Deployer create(Connection c) {
    ConfigBuilder config = new ConfigBuilder(Config.autoConfigure(c.setting("context").orElse(null)));
    c.setting("master-url").ifPresent(config::withMasterUrl);
    c.setting("trust-certs").map(Boolean::parseBoolean).ifPresent(config::withTrustCerts);
    if (c.setting("token-env").isPresent()) config.withOauthToken(c.secret("token"));
    // Two quick retries inside the client; beyond that the activity's retry policy decides (and shows in the history).
    config.withRequestRetryBackoffLimit(2);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config.build()).build();
    clients.add(client);
    return new KubernetesDeployer(c, client);
  }

  @Override
  public void destroy() {
    clients.forEach(KubernetesClient::close);
  }
}
