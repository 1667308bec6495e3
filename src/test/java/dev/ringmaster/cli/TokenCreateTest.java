package dev.ringmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.auth.ApiTokens;
import dev.ringmaster.auth.AuthProperties;
import dev.ringmaster.rollouts.Role;
import dev.ringmaster.support.RingmasterProcess;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * {@code ringmaster token create}, run as the real CLI process: the token is printed once, and both configuration
 * snippets it prints (YAML and environment variables), bound by Spring's own binder as Ringmaster binds them, accept
 * exactly that token with the identity, roles and scopes asked for.
 */
class TokenCreateTest {
  record Printed(String token, String yaml, Map<String, String> env) {}

  record Run(int exit, String out) {}

  /** {@code ringmaster token create <args>} as its own process. */
  static Run tokenCreate(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(RingmasterProcess.java(), "-cp", System.getProperty("java.class.path"),
        RingmasterCli.class.getName(), "token", "create"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  static Printed create(String... args) throws Exception {
    Run run = tokenCreate(args);
    assertThat(run.exit()).as(run.out()).isZero();
    List<String> lines = run.out().lines().toList();
    String token = lines.get(1).strip();
    String yaml = lines.get(lines.indexOf("application.yaml:") + 1).strip();
    Map<String, String> env = new LinkedHashMap<>();
    for (String kv : lines.get(lines.indexOf("or environment:") + 1).strip().split(" ")) env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    return new Printed(token, yaml, env);
  }

  static AuthProperties bind(PropertySource<?> source) {
    MutablePropertySources sources = new MutablePropertySources();
    sources.addFirst(source);
    return new Binder(ConfigurationPropertySources.from(sources)).bind("ringmaster.auth", AuthProperties.class).get();
  }

  @Test
  void theTokenIsShownOnceAndBothSnippetsAcceptExactlyIt() throws Exception {
    Printed p = create("--identity", "erin@example.com", "--roles", "approve,read", "--services", "checkout,payments-*");
    assertThat(p.token()).startsWith(ApiTokens.PREFIX).hasSizeGreaterThan(40);
    assertThat(p.yaml()).doesNotContain(p.token()).contains(ApiTokens.hash(p.token()));
    assertThat(p.env().values()).doesNotContain(p.token());

    AuthProperties fromEnv = bind(new SystemEnvironmentPropertySource(org.springframework.core.env.StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new LinkedHashMap<>(p.env())));
    List<PropertySource<?>> yaml = new YamlPropertySourceLoader().load("yaml", new ByteArrayResource(p.yaml().getBytes(StandardCharsets.UTF_8)));
    AuthProperties fromYaml = bind(yaml.get(0));

    for (AuthProperties configured : List.of(fromEnv, fromYaml)) {
      assertThat(configured.tokens()).containsOnlyKeys("erinexamplecom");
      ApiTokens tokens = new ApiTokens(configured.tokens(), null);
      ApiTokens.Holder erin = tokens.authenticate(p.token()).orElseThrow();
      assertThat(erin.identity()).isEqualTo("erin@example.com");
      assertThat(erin.roles()).isEqualTo(Set.of(Role.APPROVE, Role.READ));
      assertThat(erin.services()).containsExactly("checkout", "payments-*");
      assertThat(tokens.authenticate(p.token() + "x")).isEmpty();
    }
  }

  @Test
  void everyTokenIsNewAndBadRolesOrNamesAreRefused() throws Exception {
    assertThat(create("--identity", "ci-checkout", "--roles", "trigger").token()).isNotEqualTo(create("--identity", "ci-checkout", "--roles", "trigger").token());

    for (String[] bad : List.of(new String[] {"--identity", "x", "--roles", "deploy"}, new String[] {"--identity", "x", "--roles", "read", "--name", "ci-x"})) {
      Run run = tokenCreate(bad);
      assertThat(run.exit()).as(run.out()).isEqualTo(4);
      assertThat(run.out()).doesNotContain(ApiTokens.PREFIX).containsAnyOf("'deploy' is not a role", "--name must be 1 to 64 lower-case letters and digits");
    }
  }
}
