package dev.ringmaster.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * {@code ringmaster.*} settings. Connections are maps of settings by name; secrets appear only as the names of
 * environment variables ({@code token-env: UNLEASH_ADMIN_TOKEN}). {@code publicUrl} is optional: without it,
 * {@link dev.ringmaster.PublicUrl} uses the address and port the server listens on.
 */
@ConfigurationProperties("ringmaster")
public record RingmasterProperties(
    Map<String, Map<String, String>> connections,
    String workflowsDir,
    Duration minSoakWithMigration,
    String publicUrl,
    Migrations migrations,
    Api api) {

  public RingmasterProperties {
    connections = connections == null ? Map.of() : new LinkedHashMap<>(connections);
    workflowsDir = workflowsDir == null ? "workflows" : workflowsDir;
    minSoakWithMigration = minSoakWithMigration == null ? Duration.ofMinutes(10) : minSoakWithMigration;
    migrations = migrations == null ? new Migrations(null) : migrations;
    api = api == null ? new Api(null) : api;
  }

  /**
   * {@code allowedRoots}: directories (and {@code classpath:} prefixes) migration locations may resolve into, besides
   * a {@code definitionPath}'s own directory; empty means the workflows directory.
   */
  public record Migrations(List<String> allowedRoots) {
    public Migrations {
      allowedRoots = allowedRoots == null ? List.of() : List.copyOf(allowedRoots);
    }
  }

  /** {@code maxRequestBody}: larger request bodies are answered 413 before they are read (default 256KB). */
  public record Api(DataSize maxRequestBody) {
    public Api {
      maxRequestBody = maxRequestBody == null ? DataSize.ofKilobytes(256) : maxRequestBody;
    }
  }
}
