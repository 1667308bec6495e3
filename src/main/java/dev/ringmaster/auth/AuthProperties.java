package dev.ringmaster.auth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code ringmaster.auth.*}: the API tokens by name (each a SHA-256 hash, never the token), and where the generated
 * admin token lives ({@code admin-token-file}, default {@code var/admin-token}; empty disables it).
 */
@ConfigurationProperties("ringmaster.auth")
public record AuthProperties(Map<String, Token> tokens, String adminTokenFile) {
  public AuthProperties {
    tokens = tokens == null ? Map.of() : new LinkedHashMap<>(tokens);
    adminTokenFile = adminTokenFile == null ? "var/admin-token" : adminTokenFile;
  }

  /**
   * {@code identity} defaults to the token's name; {@code services}: scopes (globs), empty = every service;
   * {@code file} instead of {@code hash}: the token is generated into that file on first start (mode 0600) and read
   * from it afterwards (the demo's approver; a configuration without a hash to copy).
   */
  public record Token(String identity, String hash, List<String> roles, List<String> services, String file) {
    public Token {
      roles = roles == null ? List.of() : List.copyOf(roles);
      services = services == null ? List.of() : List.copyOf(services);
    }
  }
}
