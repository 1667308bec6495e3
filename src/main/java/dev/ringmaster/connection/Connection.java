package dev.ringmaster.connection;

import dev.ringmaster.definition.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One entry of {@code ringmaster.connections}: a name the definitions refer to, the adapter {@code kind}, and the
 * adapter's settings. Secrets are never settings: a setting ending in {@code -env} names the environment variable
 * that holds the secret, read by {@link #secret(String)} inside the activity that needs it.
 */
public record Connection(String name, String kind, Map<String, String> settings) {
  public Connection {
    settings = Map.copyOf(settings);
  }

  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings.get(key)).filter(v -> !v.isBlank());
  }

  public String require(String key) {
    return setting(key)
        .orElseThrow(() -> new PermanentFailure("connection '" + name + "' (kind " + kind + ") needs the setting '" + key
            + "' under ringmaster.connections." + name));
  }

  /**
   * A list setting: YAML lists arrive as {@code key.0}, {@code key.1}, …; one value may also list items separated by
   * commas (environment variables). Empty when not set.
   */
  public List<String> list(String key) {
    List<String> out = new ArrayList<>();
    setting(key).ifPresent(v -> split(v, out));
    settings.keySet().stream()
        .filter(k -> k.startsWith(key + ".") && k.substring(key.length() + 1).matches("\\d+"))
        .sorted(Comparator.comparingInt(k -> Integer.parseInt(k.substring(key.length() + 1))))
        .forEach(k -> split(settings.get(k), out));
    return List.copyOf(out);
  }

  private static void split(String value, List<String> out) {
    for (String item : value.split(",")) {
      if (!item.isBlank()) out.add(item.strip());
    }
  }

  /** Which services and domains may use this connection, and its deploy target constraints. */
  public ConnectionScope scope() {
    return ConnectionScope.of(this);
  }

  /** A duration setting ({@code 10s}, {@code 2m}), or {@code fallback} when it is not set. */
  public Duration duration(String key, Duration fallback) {
    return setting(key).map(Durations::parse).orElse(fallback);
  }

  /** The secret named by setting {@code <key>-env}, from the environment; the message never contains the value. */
  public String secret(String key) {
    String variable = require(key + "-env");
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      throw new PermanentFailure("connection '" + name + "': environment variable " + variable + " (" + key + ") is not set");
    }
    return value;
  }
}
