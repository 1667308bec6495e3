package dev.ringmaster.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo service that a release of the example changes: {@code GET /hello?user=U&tenant=T} answers with the old
 * greeting, or with the new one for users whose feature flag evaluates on. The flag is read through the OpenFeature
 * SDK with its flagd provider from the flagd file Ringmaster writes; the running version from the file the deploy
 * script writes. Each feature release has its own flag ({@link #flagKeyOf}). A version ending in {@code -bad} breaks the new code path: a share of the
 * requests of users with the flag on fail (500) and every one of them is slow. Metrics ({@code GET /metrics}, Micrometer):
 * {@code http_requests_total{flag,code}} and the histogram {@code http_request_duration_seconds{flag}}.
 */
public final class DemoService implements AutoCloseable {
  /**
   * The feature flag each release's code reads: 1.0.0 brought the new greeting behind {@code new-greeting-1-0-0},
   * 1.0.1 its successor behind {@code new-greeting-1-0-1}. A version reads the flag of the latest feature release at
   * or before it (1.0.3 and 1.0.1-bad read {@code new-greeting-1-0-1}), as a service's code knows its own flags.
   */
  static final NavigableMap<List<Integer>, String> FEATURES = new TreeMap<>(DemoService::compareVersions);

  static {
    FEATURES.put(List.of(1, 0, 0), "new-greeting-1-0-0");
    FEATURES.put(List.of(1, 0, 1), "new-greeting-1-0-1");
  }

  /** The flag version {@code version} reads; {@code none} before the first feature release (or an unreadable version). */
  public static String flagKeyOf(String version) {
    List<Integer> numbers = new ArrayList<>();
    for (String part : version.replaceFirst("-.*$", "").split("\\.")) {
      if (!part.matches("\\d{1,9}")) return "none";
      numbers.add(Integer.parseInt(part));
    }
    Map.Entry<List<Integer>, String> feature = FEATURES.floorEntry(numbers);
    return feature == null ? "none" : feature.getValue();
  }

  private static int compareVersions(List<Integer> a, List<Integer> b) {
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      int c = Integer.compare(i < a.size() ? a.get(i) : 0, i < b.size() ? b.get(i) : 0);
      if (c != 0) return c;
    }
    return 0;
  }

  private final HttpServer server;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final FlagdProvider provider;
  private final Client flags;
  private final Path versionFile;
  private final double badErrorRate;
  private final Duration badLatency;
  private volatile String version = "none";
  private volatile long versionReadAt;

  private DemoService(String host, int port, Path flagsFile, Path versionFile, double badErrorRate, Duration badLatency) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 64); // first: a taken port leaves nothing started
    this.versionFile = versionFile;
    this.badErrorRate = badErrorRate;
    this.badLatency = badLatency;
    if (!Files.exists(flagsFile)) {
      Files.createDirectories(flagsFile.toAbsolutePath().getParent());
      Files.writeString(flagsFile, "{\"flags\": {}}");
    }
    provider = new FlagdProvider(FlagdOptions.builder().resolverType(Config.Resolver.FILE).offlineFlagSourcePath(flagsFile.toString())
        .offlinePollIntervalMs(200).build());
    String domain = "ringmaster-demo-" + System.identityHashCode(this);
    OpenFeatureAPI.getInstance().setProviderAndWait(domain, provider);
    flags = OpenFeatureAPI.getInstance().getClient(domain);
    server.setExecutor(Executors.newFixedThreadPool(16, r -> {
      Thread t = new Thread(r, "demo-service");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/hello", this::hello);
    server.createContext("/metrics", this::scrape);
    server.start();
  }

  /**
   * @param port 0 for a free one
   * @param badErrorRate the share of flag-on requests a {@code -bad} version fails
   * @param badLatency how long each flag-on request of a {@code -bad} version takes
   */
  public static DemoService start(int port, Path flagsFile, Path versionFile, double badErrorRate, Duration badLatency) throws IOException {
    return start("127.0.0.1", port, flagsFile, versionFile, badErrorRate, badLatency);
  }

  /** As {@link #start(int, Path, Path, double, Duration)} on {@code host} (0.0.0.0 in a container). */
  public static DemoService start(String host, int port, Path flagsFile, Path versionFile, double badErrorRate, Duration badLatency) throws IOException {
    return new DemoService(host, port, flagsFile, versionFile, badErrorRate, badLatency);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** The version the deploy script says runs (re-read at most every 200 ms). */
  String runningVersion() {
    long now = System.nanoTime();
    if (now - versionReadAt > 200_000_000L) {
      try {
        version = Files.exists(versionFile) ? Files.readString(versionFile).strip() : "none";
      } catch (IOException e) {
        // keep the last one read
      }
      versionReadAt = now;
    }
    return version;
  }

  private void hello(HttpExchange x) throws IOException {
    long start = System.nanoTime();
    Map<String, String> q = query(x.getRequestURI().getRawQuery());
    String user = q.getOrDefault("user", "anonymous");
    String tenant = q.getOrDefault("tenant", "none");
    String running = runningVersion();
    boolean on = flags.getBooleanValue(flagKeyOf(running), false, new ImmutableContext(user, Map.of("tenantId", new Value(tenant))));
    int code = 200;
    String body;
    try {
      if (on && running.endsWith("-bad")) {
        sleep(badLatency);
        if (ThreadLocalRandom.current().nextDouble() < badErrorRate) code = 500;
      } else {
        sleep(Duration.ofMillis(2 + ThreadLocalRandom.current().nextInt(8)));
      }
      body = code == 500 ? "internal error\n" : on ? "Hello, " + user + "! (new greeting, " + running + ")\n" : "Hello " + user + " (" + running + ")\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = 503;
      body = "shutting down\n";
    }
    String flag = on ? "on" : "off";
    Counter.builder("http.requests").description("Requests served, by flag variant and status code").tag("flag", flag).tag("code", String.valueOf(code))
        .register(metrics).increment();
    Timer.builder("http.request.duration").description("Request latency by flag variant").tag("flag", flag)
        .serviceLevelObjectives(BUCKETS).register(metrics).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    send(x, code, "text/plain; charset=utf-8", body);
  }

  private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500)};

  private void scrape(HttpExchange x) throws IOException {
    send(x, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
  }

  private static void sleep(Duration d) throws InterruptedException {
    if (!d.isZero()) Thread.sleep(d.toMillis());
  }

  private static void send(HttpExchange x, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null) return q;
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) q.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return q;
  }

  @Override
  public void close() {
    server.stop(0);
    provider.shutdown();
    metrics.close();
  }
}
