package dev.ringmaster.auth;

import dev.ringmaster.rollouts.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API tokens Ringmaster accepts. Only their SHA-256 hashes are kept (configured as {@code sha256:<hex>}); a
 * presented token is hashed and compared with every configured hash in constant time. Tokens are high-entropy
 * random strings ({@link #generate}), so an unsalted fast hash is the right tool (it is not a password).
 * The embedded default: without an admin token file, one is generated on first start (mode 0600) and its holder,
 * identity {@code admin}, has every role.
 */
public final class ApiTokens {
  private static final Logger log = LoggerFactory.getLogger(ApiTokens.class);
  public static final String PREFIX = "rm_";

  /** Who a token belongs to: identity, roles, service scopes (empty = every service). */
  public record Holder(String identity, Set<Role> roles, List<String> services) {}

  private record Entry(byte[] hash, Holder holder) {}

  private final List<Entry> entries = new ArrayList<>();

  public ApiTokens(Map<String, AuthProperties.Token> configured, Path adminTokenFile) {
    configured.forEach((name, t) -> {
      if (t.hash() == null && t.file() != null && !t.file().isBlank()) {
        // A generated token (the demo's approver): kept in its file, mode 0600, like the admin token.
        t = new AuthProperties.Token(t.identity(), hash(readOrCreate(Path.of(t.file()), "token " + name)), t.roles(), t.services(), null);
      }
      if (t.hash() == null || !t.hash().startsWith("sha256:") || t.hash().length() != "sha256:".length() + 64) {
        throw new IllegalStateException("ringmaster.auth.tokens." + name + ".hash must be sha256:<64 hex digits> (ringmaster token create prints it)");
      }
      Set<Role> roles = EnumSet.noneOf(Role.class);
      t.roles().forEach(r -> roles.add(Role.parse(r)));
      String identity = t.identity() == null || t.identity().isBlank() ? name : t.identity();
      entries.add(new Entry(HexFormat.of().parseHex(t.hash().substring("sha256:".length())), new Holder(identity, Set.copyOf(roles), t.services())));
    });
    if (adminTokenFile != null) {
      String admin = readOrCreate(adminTokenFile, "admin token");
      entries.add(new Entry(sha256(admin), new Holder("admin", Set.of(Role.ADMIN), List.of())));
    }
  }

  /** The holder of {@code presented}, or empty. Every configured hash is compared, in constant time each. */
  public Optional<Holder> authenticate(String presented) {
    if (presented == null || presented.isBlank()) return Optional.empty();
    byte[] h = sha256(presented.strip());
    Holder found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.hash(), h) && found == null) found = e.holder();
    }
    return Optional.ofNullable(found);
  }

  public static String generate() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  public static String hash(String token) {
    return "sha256:" + HexFormat.of().formatHex(sha256(token));
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The token kept in {@code file}; on first use one is generated into it (mode 0600). */
  private static String readOrCreate(Path file, String what) {
    try {
      if (Files.exists(file)) {
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!token.isEmpty()) {
          log.info("API {}: {}", what, file.toAbsolutePath());
          return token;
        }
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.deleteIfExists(file);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      }
      String token = generate();
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
      log.info("API {} generated into {} (mode 0600). Use it as 'Authorization: Bearer <token>'{}", what, file.toAbsolutePath(),
          what.equals("admin token") ? "; identity admin, every role; the CLI reads it from there by default" : "");
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the " + what + " file " + file, e);
    }
  }
}
