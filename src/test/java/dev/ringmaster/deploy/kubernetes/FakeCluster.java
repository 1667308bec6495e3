package dev.ringmaster.deploy.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * fabric8's Kubernetes API mock in CRUD mode (the real API's shapes, no cluster), plus the test playing the
 * Deployment controller: when a Deployment's pod template changes, it advances the status the way the controller
 * would, or, as told, never progresses, reports ProgressDeadlineExceeded, or starts a crash-looping pod.
 */
public final class FakeCluster implements AutoCloseable {
  public enum Behaviour { HEALTHY, STUCK, DEADLINE_EXCEEDED, CRASH_LOOP }

  final KubernetesMockServer server;
  final NamespacedKubernetesClient client;
  public volatile Behaviour behaviour = Behaviour.HEALTHY;
  /** Every image the controller rolled out, in order: one entry per rollout of the pods. */
  public final List<String> rolledOut = Collections.synchronizedList(new ArrayList<>());
  private final HashMap<String, String> seen = new HashMap<>();
  private final ScheduledExecutorService controller = Executors.newSingleThreadScheduledExecutor();

  public FakeCluster() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    controller.scheduleWithFixedDelay(this::reconcile, 20, 20, TimeUnit.MILLISECONDS);
  }

  public String masterUrl() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** A Deployment of {@code replicas} pods running {@code image}, fully rolled out. */
  public void deployment(String namespace, String name, String image, int replicas) {
    Deployment d = new DeploymentBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name).withGeneration(1L).endMetadata()
        .withNewSpec().withReplicas(replicas).withProgressDeadlineSeconds(600)
        .withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().addNewContainer().withName("sidecar")
        .withImage("envoy:1.30").endContainer().endSpec().endTemplate().endSpec()
        .withStatus(done(1L, replicas))
        .build();
    synchronized (seen) {
      seen.put(namespace + "/" + name, image);
    }
    client.apps().deployments().inNamespace(namespace).resource(d).create();
  }

  public Deployment get(String namespace, String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private static DeploymentStatus done(long generation, int replicas) {
    return new DeploymentStatusBuilder().withObservedGeneration(generation).withReplicas(replicas).withUpdatedReplicas(replicas)
        .withReadyReplicas(replicas).withAvailableReplicas(replicas).build();
  }

  private void reconcile() {
    try {
      for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
        String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
        String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        synchronized (seen) {
          if (image.equals(seen.get(key))) continue;
          seen.put(key, image);
        }
        rolledOut.add(image);
        // The mock API server bumps metadata.generation on every spec change, as the real one does.
        long generation = d.getMetadata().getGeneration();
        int replicas = d.getSpec().getReplicas();
        DeploymentStatus status = switch (behaviour) {
          case HEALTHY -> done(generation, replicas);
          case STUCK -> new DeploymentStatusBuilder(done(generation, replicas)).withUpdatedReplicas(1).withReplicas(replicas + 1)
              .withReadyReplicas(replicas).withAvailableReplicas(replicas).build();
          case DEADLINE_EXCEEDED -> new DeploymentStatusBuilder(done(generation, replicas)).withUpdatedReplicas(1)
              .addToConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded")
                  .withMessage("ReplicaSet \"" + d.getMetadata().getName() + "-7d9f\" has timed out progressing.").build())
              .build();
          case CRASH_LOOP -> {
            client.pods().inNamespace(d.getMetadata().getNamespace()).resource(new PodBuilder()
                .withNewMetadata().withName(d.getMetadata().getName() + "-7d9f-x1").withNamespace(d.getMetadata().getNamespace())
                .addToLabels("app", d.getMetadata().getName()).endMetadata()
                .withNewStatus().addToContainerStatuses(new ContainerStatusBuilder().withName("app").withImage(image).withRestartCount(4)
                    .withNewState().withNewWaiting().withReason("CrashLoopBackOff").withMessage("back-off 40s restarting failed container=app")
                    .endWaiting().endState().build()).endStatus().build()).create();
            yield new DeploymentStatusBuilder(done(generation, replicas)).withUpdatedReplicas(1).withReadyReplicas(replicas - 1).build();
          }
        };
        // A patch of the status only, on a fresh read: the image the deployer set is never overwritten.
        client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName()).edit(fresh -> {
          fresh.setStatus(status);
          return fresh;
        });
      }
    } catch (RuntimeException e) {
      // the next tick tries again
    }
  }

  @Override
  public void close() {
    controller.shutdownNow();
    client.close();
    server.destroy();
  }
}
