package dev.ringmaster.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

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
    String publicUrl) {

  public RingmasterProperties {
    connections = connections == null ? Map.of() : new LinkedHashMap<>(connections);
    workflowsDir = workflowsDir == null ? "workflows" : workflowsDir;
    minSoakWithMigration = minSoakWithMigration == null ? Duration.ofMinutes(10) : minSoakWithMigration;
  }
}
