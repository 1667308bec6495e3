package dev.ringmaster.deploy.kubernetes;

import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.Durations;
import dev.ringmaster.deploy.DeployOutcome;
import dev.ringmaster.deploy.DeployTarget;
import dev.ringmaster.deploy.Deployer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Deploys by setting a Deployment's container image. Target (the definition's {@code deploy.target}):
 * {@code namespace}, {@code deployment}, {@code container}, optional {@code image} (the repository; default: the
 * container's current one). The running version is the image's tag (or digest). A deploy sets {@code image:version},
 * annotates the Deployment with the rollout ID, and waits as {@code kubectl rollout status} does: the new spec
 * observed, all replicas updated, ready and available, no old replica left. Kubernetes' own
 * {@code ProgressDeadlineExceeded}, a new pod crash-looping or failing to pull, or our deadline missed fail the step
 * with the reason Kubernetes gives; retrying would not help, so these are permanent and the rollout compensates.
 */
final class KubernetesDeployer implements Deployer {
  static final String ROLLOUT_ANNOTATION = "ringmaster.dev/rollout-id";
  static final String VERSION_ANNOTATION = "ringmaster.dev/version";
  /** A tag ({@code 1.4.2}) or a digest ({@code sha256:…}). */
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64}");
  private static final Set<String> BROKEN_POD_REASONS =
      Set.of("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError");

  private final Connection connection;
  private final KubernetesClient client;
  private final Duration pollInterval;
  private final Duration timeout;

  KubernetesDeployer(Connection connection, KubernetesClient client) {
    this.connection = connection;
    this.client = client;
    this.pollInterval = connection.duration("poll-interval", Duration.ofSeconds(2));
    this.timeout = connection.duration("timeout", null);
  }

  @Override
  public Optional<String> currentVersion(DeployTarget target) {
    Image image = Image.parse(container(deployment(target), target).getImage());
    return Optional.ofNullable(image.version());
  }

  @Override
  public DeployOutcome deploy(DeployTarget target, String version) {
    return rollTo(target, version);
  }

  @Override
  public DeployOutcome rollback(DeployTarget target, String previousVersion) {
    return rollTo(target, previousVersion);
  }

  private DeployOutcome rollTo(DeployTarget target, String version) {
    if (!VERSION.matcher(version).matches()) {
      throw new PermanentFailure("version '" + version + "' is not a valid image tag or sha256 digest");
    }
    long started = System.nanoTime();
    Deployment d = deployment(target);
    Image current = Image.parse(container(d, target).getImage());
    String repository = Optional.ofNullable(target.target().get("image")).orElse(current.repository());
    String wanted = new Image(repository, version).toString();
    String note;
    long newGeneration = 0;
    if (wanted.equals(current.toString())) {
      // Already set (a retried activity, or the version already running): do not roll the pods again, just wait.
      note = "image " + wanted + " was already set; waited for it";
    } else {
      call("set image of " + name(target), () -> resource(target).edit(dep -> {
        dep.getMetadata().getAnnotations().put(ROLLOUT_ANNOTATION, target.rolloutId());
        dep.getMetadata().getAnnotations().put(VERSION_ANNOTATION, version);
        container(dep, target).setImage(wanted);
        return dep;
      }));
      note = "image " + current + " → " + wanted;
      newGeneration = Optional.ofNullable(d.getMetadata().getGeneration()).orElse(0L) + 1;
    }
    String ready = awaitRollout(target, wanted, newGeneration);
    return new DeployOutcome(current.version(), version, Duration.ofNanos(System.nanoTime() - started), note + "; " + ready);
  }

  /** Polls until the rollout is complete; the reason Kubernetes gives when it is not going to be. */
  private String awaitRollout(DeployTarget target, String image, long newGeneration) {
    Deployment d = deployment(target);
    int progressDeadline = Optional.ofNullable(d.getSpec().getProgressDeadlineSeconds()).orElse(600);
    Duration limit = timeout != null ? timeout : Duration.ofSeconds(progressDeadline).plusSeconds(30);
    long deadline = System.nanoTime() + limit.toNanos();
    String waitingFor;
    while (true) {
      d = deployment(target);
      String failed = failure(d, target, image);
      if (failed != null) throw new PermanentFailure("Deployment " + name(target) + " did not roll out " + image + ": " + failed);
      waitingFor = RolloutProgress.waitingFor(d, newGeneration);
      if (waitingFor == null) {
        DeploymentStatus s = d.getStatus();
        return s.getReadyReplicas() + "/" + d.getSpec().getReplicas() + " replicas ready and available";
      }
      if (System.nanoTime() > deadline) {
        throw new PermanentFailure("Deployment " + name(target) + " did not roll out " + image + " within " + Durations.format(limit)
            + ": still " + waitingFor);
      }
      sleep();
    }
  }

  /** Kubernetes' verdict that the rollout will not complete, or a new pod that cannot start; null when none. */
  private String failure(Deployment d, DeployTarget target, String image) {
    String deadline = RolloutProgress.deadlineExceeded(d);
    if (deadline != null) return deadline;
    var labels = d.getSpec().getSelector() == null ? null : d.getSpec().getSelector().getMatchLabels();
    if (labels == null || labels.isEmpty()) return null;
    var pods = call("list pods of " + name(target), () -> client.pods().inNamespace(namespace(target)).withLabels(labels).list().getItems());
    String container = target.target().get("container");
    for (Pod p : pods) {
      if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) continue;
      for (ContainerStatus cs : p.getStatus().getContainerStatuses()) {
        boolean ours = Objects.equals(cs.getName(), container) && Objects.equals(cs.getImage(), image);
        var waiting = cs.getState() == null ? null : cs.getState().getWaiting();
        if (ours && waiting != null && BROKEN_POD_REASONS.contains(waiting.getReason())) {
          return "pod " + p.getMetadata().getName() + ": container " + container + " is in " + waiting.getReason()
              + (waiting.getMessage() == null ? "" : " (" + waiting.getMessage() + ")") + ", restarts " + cs.getRestartCount();
        }
      }
    }
    return null;
  }

  private void sleep() {
    try {
      Thread.sleep(pollInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the rollout", e);
    }
  }

  private RollableScalableResource<Deployment> resource(DeployTarget target) {
    return client.apps().deployments().inNamespace(namespace(target)).withName(require(target, "deployment"));
  }

  private Deployment deployment(DeployTarget target) {
    Deployment d = call("read Deployment " + name(target), () -> resource(target).get());
    if (d == null) {
      throw new PermanentFailure("connection '" + connection.name() + "': Deployment " + name(target) + " does not exist");
    }
    if (d.getMetadata().getAnnotations() == null) d.getMetadata().setAnnotations(new java.util.HashMap<>());
    return d;
  }

  private Container container(Deployment d, DeployTarget target) {
    String name = require(target, "container");
    return d.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new PermanentFailure("Deployment " + name(target) + " has no container '" + name + "'; it has "
            + d.getSpec().getTemplate().getSpec().getContainers().stream().map(Container::getName).toList()));
  }

  private static String namespace(DeployTarget target) {
    return require(target, "namespace");
  }

  private static String name(DeployTarget target) {
    return target.target().get("namespace") + "/" + target.target().get("deployment");
  }

  private static String require(DeployTarget target, String key) {
    String v = target.target().get(key);
    if (v == null || v.isBlank()) {
      throw new PermanentFailure("the kubernetes deployer needs spec.deploy.target." + key + " (target: namespace, deployment, container)");
    }
    return v;
  }

  /**
   * Runs an API call and classifies its failure: 401/403/404/422 are permanent (with the API server's message),
   * everything else (5xx, timeouts, connection refused) is retried by the activity.
   */
  private <T> T call(String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (KubernetesClientException e) {
      String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
      String prefix = "connection '" + connection.name() + "', " + what + ": ";
      if (Set.of(401, 403, 404, 422).contains(e.getCode())) {
        throw new PermanentFailure(prefix + "the Kubernetes API answered " + e.getCode() + ": " + message);
      }
      throw new IllegalStateException(prefix + (e.getCode() == 0 ? "" : "the Kubernetes API answered " + e.getCode() + ": ") + message, e);
    }
  }
}
