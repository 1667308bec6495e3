package dev.ringmaster.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ringmaster.auth.AuthProperties;
import dev.ringmaster.config.RingmasterProperties;
import dev.ringmaster.demo.DemoCommands;
import dev.ringmaster.support.PrometheusServer;
import io.temporal.spring.boot.autoconfigure.properties.TemporalProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;

/**
 * The compose stack and the Dockerfile, checked without a Docker engine (none runs here; the stack itself is
 * exercised where Docker exists): {@code docker-compose config} accepts the file; every image is pinned; every
 * environment variable of a service running Ringmaster's image is bound by Spring exactly as Ringmaster binds it, into
 * the class that reads it (or is a secret a connection names by its {@code *-env} setting), with the mounted
 * configuration file bound the same way; the demo containers' commands parse; Prometheus's configuration passes
 * {@code promtool}; the Dockerfile builds the jar with the README's command.
 */
class DeploymentFilesTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path COMPOSE = Path.of("docker-compose.yml");
  @TempDir Path tmp;

  static JsonNode compose() throws Exception {
    return YAML.readTree(COMPOSE.toFile());
  }

  static boolean onPath(String tool) {
    return PrometheusServer.executable(tool).isPresent();
  }

  static String run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toAbsolutePath().toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
    return out;
  }

  @Test
  void dockerComposeAcceptsTheFile() throws Exception {
    assumeTrue(onPath("docker-compose"), "docker-compose is not installed (Debian package docker-compose; .ci/run installs it): the file is not validated here");
    run(Path.of(""), "docker-compose", "-f", COMPOSE.toString(), "config", "-q");
  }

  @Test
  void everyImageIsPinnedAndTheStackHasWhatItPromises() throws Exception {
    JsonNode services = compose().path("services");
    List<String> names = new ArrayList<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names).contains("postgresql", "temporal", "temporal-ui", "prometheus", "grafana", "ringmaster", "demo", "load");
    services.forEach(s -> s.path("volumes").forEach(v -> {
      String source = v.asText().split(":")[0];
      if (source.startsWith("./")) assertThat(Path.of(source)).as("bind mount " + v.asText()).exists();
    }));
    JsonNode dashboard = new ObjectMapper().readTree(Path.of("dashboards/ringmaster.json").toFile());
    assertThat(dashboard.path("panels").size()).as("the Grafana dashboard the stack loads").isGreaterThan(5);
    services.forEach(s -> {
      String image = s.path("image").asText();
      assertThat(image).as("every service names its image").isNotEmpty();
      if (!image.startsWith("ringmaster:")) assertThat(image).as(image + " is pinned").matches("[^:]+:v?\\d[^:]*").doesNotEndWith(":latest");
    });
    assertThat(services.path("ringmaster").path("build").asText()).isEqualTo(".");
  }

  /** The environment of every service running Ringmaster's image, each variable bound and checked by the class that reads it. */
  @Test
  void everyRingmasterEnvironmentVariableIsAKeyRingmasterReads() throws Exception {
    JsonNode services = compose().path("services");
    JsonNode ringmaster = services.path("ringmaster");
    Map<String, Object> env = new LinkedHashMap<>();
    ringmaster.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    services.fields().forEachRemaining(s -> {
      if (!s.getKey().equals("ringmaster") && s.getValue().path("image").asText().startsWith("ringmaster:")) {
        assertThat(s.getValue().has("environment")).as(s.getKey() + " configures itself by its command line, checked below").isFalse();
      }
    });

    StandardEnvironment spring = new StandardEnvironment();
    spring.getPropertySources().addFirst(new SystemEnvironmentPropertySource("compose-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
    // The file SPRING_CONFIG_ADDITIONAL_LOCATION names, through the volume that mounts it, then the shipped application.yaml.
    String location = String.valueOf(env.get("SPRING_CONFIG_ADDITIONAL_LOCATION")).replaceFirst("^file:", "");
    Path mounted = null;
    for (JsonNode v : ringmaster.path("volumes")) {
      String[] parts = v.asText().split(":");
      if (parts.length >= 2 && parts[1].equals(location)) mounted = Path.of(parts[0]);
    }
    assertThat(mounted).as("a volume mounts " + location).isNotNull();
    assertThat(mounted).isRegularFile();
    for (PropertySource<?> p : new YamlPropertySourceLoader().load("compose-config", new FileSystemResource(mounted))) spring.getPropertySources().addLast(p);
    for (PropertySource<?> p : new YamlPropertySourceLoader().load("application", new ClassPathResource("application.yaml"))) spring.getPropertySources().addLast(p);
    Binder binder = Binder.get(spring);
    RingmasterProperties props = binder.bind("ringmaster", RingmasterProperties.class).get();
    AuthProperties auth = binder.bind("ringmaster.auth", AuthProperties.class).get();

    Map<String, Consumer<String>> readers = new HashMap<>();
    readers.put("RINGMASTER_TEMPORAL_MODE", v -> {
      assertThat(v).isEqualTo("external");
      assertThat(spring.getProperty("ringmaster.temporal.mode")).as("EmbeddedTemporal reads ringmaster.temporal.mode").isEqualTo(v);
    });
    readers.put("SPRING_TEMPORAL_CONNECTION_TARGET",
        v -> assertThat(binder.bind("spring.temporal", TemporalProperties.class).get().getConnection().getTarget()).isEqualTo(v));
    readers.put("SPRING_TEMPORAL_NAMESPACE", v -> assertThat(binder.bind("spring.temporal", TemporalProperties.class).get().getNamespace()).isEqualTo(v));
    readers.put("SERVER_ADDRESS", v -> assertThat(binder.bind("server", ServerProperties.class).get().getAddress().getHostAddress()).isEqualTo(v));
    readers.put("RINGMASTER_PUBLIC_URL", v -> assertThat(props.publicUrl()).isEqualTo(v));
    readers.put("RINGMASTER_TEMPORAL_UI_URL",
        v -> assertThat(spring.getProperty("ringmaster.temporal.ui-url")).as("the dashboard's @Value(ringmaster.temporal.ui-url)").isEqualTo(v));
    readers.put("SPRING_CONFIG_ADDITIONAL_LOCATION", v -> {
      // What the mounted file sets reaches the connections and tokens Ringmaster binds.
      assertThat(props.connections().get("greeter-metrics")).containsEntry("url", "http://demo:8090/metrics").containsEntry("kind", "openmetrics");
      assertThat(props.connections().get("greeter-db")).containsEntry("embedded", "false").containsEntry("kind", "flyway")
          .containsEntry("url", "jdbc:postgresql://postgresql:5432/greeter");
      assertThat(auth.tokens()).containsKeys("demoapprover", "prometheus");
      auth.tokens().values().forEach(t -> assertThat(t.file()).as("tokens generated into the shared volume").startsWith("var/"));
    });
    List<String> secretEnvNames = new ArrayList<>();
    props.connections().values().forEach(c -> c.forEach((k, val) -> {
      if (k.endsWith("-env")) secretEnvNames.add(val);
    }));
    for (Map.Entry<String, Object> e : env.entrySet()) {
      String name = e.getKey();
      if (secretEnvNames.contains(name)) continue; // a secret, named by a connection's *-env setting
      assertThat(readers).as(name + " is not a configuration key Ringmaster reads (nor a secret a connection names)").containsKey(name);
      readers.get(name).accept(String.valueOf(e.getValue()));
    }
    assertThat(env).containsKeys("RINGMASTER_TEMPORAL_MODE", "SPRING_TEMPORAL_CONNECTION_TARGET", "GREETER_DB_PASSWORD");
  }

  @Test
  void theDemoContainersCommandsParse() throws Exception {
    JsonNode services = compose().path("services");
    for (String service : List.of("demo", "load")) {
      List<String> command = new ArrayList<>();
      services.path(service).path("command").forEach(a -> command.add(a.asText()));
      assertThat(command).as(service).isNotEmpty();
      assertThat(DemoCommands.parses(command.get(0), command.subList(1, command.size()).toArray(String[]::new))).as(service + ": " + command).isTrue();
    }
    assertThat(DemoCommands.parses("demo-service", "--colour", "red")).as("an unknown option is refused").isFalse();
  }

  @Test
  void prometheusConfigPassesPromtool() throws Exception {
    assumeTrue(onPath("promtool"), "promtool is not installed (Debian package prometheus; .ci/run installs it): prometheus.yml is not checked");
    Path token = Files.writeString(tmp.resolve("prometheus-token"), "rm_x\n");
    Path config = tmp.resolve("prometheus.yml");
    Files.writeString(config, Files.readString(Path.of("deploy/compose/prometheus.yml")).replace("/ringmaster-var/prometheus-token", token.toString()));
    run(Path.of(""), "promtool", "check", "config", config.toString());
  }

  @Test
  void theDockerfileBuildsTheJarAsTheReadmeDoes() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    String readme = Files.readString(Path.of("README.md"));
    Matcher build = Pattern.compile("(?m)^RUN (mvn .*)$").matcher(dockerfile);
    assertThat(build.find()).as("the Dockerfile runs Maven").isTrue();
    String normalized = build.group(1).replace(" -B", "").replace(" -ntp", "");
    assertThat(normalized).isEqualTo("mvn -DskipTests package");
    assertThat(readme).contains("`" + normalized + "`");
    String pom = Files.readString(Path.of("pom.xml"));
    pom = pom.substring(pom.indexOf("</parent>"));
    Matcher artifact = Pattern.compile("<artifactId>([^<]+)</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertThat(artifact.find()).isTrue();
    String jar = "target/" + artifact.group(1) + "-" + artifact.group(2) + ".jar";
    assertThat(dockerfile).contains("COPY --from=build /src/" + jar + " ");
    assertThat(readme).contains(jar);
  }
}
