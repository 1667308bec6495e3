package dev.ringmaster.analysis.openmetrics;

import dev.ringmaster.analysis.MetricReading;
import dev.ringmaster.analysis.MetricSource;
import dev.ringmaster.analysis.TripwireSettings;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Metric gates for services without Prometheus: scrapes the service's text exposition endpoint ({@code url}) at the
 * start and at the end of a {@code window} (default 10s, keep it under the analysis interval and 30 s) and evaluates
 * each query ({@link WindowExpression}) over the two scrapes. Settings: {@code url}, {@code window}, {@code timeout}
 * (5s), optional {@code token-env} (bearer token), {@code tripwire-window} (see {@link #readLatest}).
 */
final class OpenMetricsSource implements MetricSource {
  private final Connection connection;
  private final HttpClient http;
  private final URI url;
  private final Duration window;
  private final Duration timeout;
  private final String token;
  private final Map<String, WindowExpression> parsed = new ConcurrentHashMap<>();
  private Exposition[] lastWindow;
  private final Duration tripwireWindow;
  /** Tripwire checks' recent scrapes, newest last; guarded by itself (not by this, which a measurement's window holds). */
  private final Deque<Exposition> recent = new ArrayDeque<>();

  OpenMetricsSource(Connection connection, HttpClient http) {
    this.connection = connection;
    this.http = http;
    this.url = URI.create(connection.require("url"));
    this.window = connection.duration("window", Duration.ofSeconds(10));
    this.timeout = connection.duration("timeout", Duration.ofSeconds(5));
    this.tripwireWindow = tripwireWindow(connection);
    this.token = connection.setting("token-env").isPresent() ? connection.secret("token") : null;
  }

  @Override
  public MetricReading read(Metric m) {
    WindowExpression canary = expression(m, "canary", m.canary());
    WindowExpression control = m.control() == null ? null : expression(m, "control", m.control());
    WindowExpression samples = m.samples() == null ? null : expression(m, "samples", m.samples());
    Exposition[] w = window();
    Exposition start = w[0];
    Exposition end = w[1];
    return new MetricReading(m.name(), canary.evaluate(start, end), control == null ? null : control.evaluate(start, end),
        samples == null ? null : samples.evaluate(start, end));
  }

  /**
   * {@code tripwire-window}, by default {@code tripwire-every}: then each check is judged over the scrapes since the
   * previous one, and a single noisy moment shows in one check (two when it straddles a scrape), which is what a
   * tripwire's {@code consecutive} count is for. A longer window shows the same moment in window/every checks in a row.
   * A bad {@code tripwire-every} is refused at pre-flight ({@code TripwireSettings}); here it falls back to the default.
   */
  private static Duration tripwireWindow(Connection c) {
    Duration every;
    try {
      every = c.duration("tripwire-every", TripwireSettings.DEFAULT_EVERY);
    } catch (IllegalArgumentException e) {
      every = TripwireSettings.DEFAULT_EVERY;
    }
    return c.duration("tripwire-window", every);
  }

  /**
   * For tripwires: one scrape now (or one taken less than a quarter of the window ago, shared by every check of that
   * moment: several tripwires, several rollouts on the same endpoint), evaluated
   * against the newest earlier scrape about {@code tripwire-window} older (at least 90 % of it, at most twice it), so
   * consecutive checks judge consecutive scrapes and none waits. Until a scrape is that old there is no data
   * (inconclusive).
   */
  @Override
  public MetricReading readLatest(Metric m) {
    WindowExpression canary = expression(m, "canary", m.canary());
    WindowExpression control = m.control() == null ? null : expression(m, "control", m.control());
    WindowExpression samples = m.samples() == null ? null : expression(m, "samples", m.samples());
    Exposition start = null;
    Exposition end;
    synchronized (recent) {
      long windowNanos = tripwireWindow.toNanos();
      if (recent.isEmpty() || System.nanoTime() - recent.getLast().scrapedAtNanos() > windowNanos / 4) recent.addLast(scrape());
      end = recent.getLast();
      long atLeast = windowNanos * 9 / 10; // checks run on a fixed rate, give or take milliseconds
      while (end.scrapedAtNanos() - recent.getFirst().scrapedAtNanos() > 2 * windowNanos) recent.removeFirst(); // from an earlier soak
      for (Exposition e : recent) {
        if (end.scrapedAtNanos() - e.scrapedAtNanos() >= atLeast) start = e;
      }
      while (start != null && recent.getFirst() != start) recent.removeFirst();
    }
    if (start == null) return new MetricReading(m.name(), null, null, null);
    return new MetricReading(m.name(), canary.evaluate(start, end), control == null ? null : control.evaluate(start, end),
        samples == null ? null : samples.evaluate(start, end));
  }

  /**
   * Two scrapes a window apart. The metrics of one measurement are read one after the other: a window that ended
   * less than a second ago is theirs, so a measurement scrapes twice however many metrics it has.
   */
  private synchronized Exposition[] window() {
    if (lastWindow != null && System.nanoTime() - lastWindow[1].scrapedAtNanos() < 1_000_000_000L) return lastWindow;
    Exposition start = scrape();
    try {
      Thread.sleep(window.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during the scrape window", e);
    }
    lastWindow = new Exposition[] {start, scrape()};
    return lastWindow;
  }

  /** Pre-flight: every query parses, and the endpoint answers with a parseable exposition. */
  @Override
  public void check(Metric m) {
    expression(m, "canary", m.canary());
    if (m.control() != null) expression(m, "control", m.control());
    if (m.samples() != null) expression(m, "samples", m.samples());
    scrape();
  }

  private WindowExpression expression(Metric m, String which, String text) {
    try {
      return parsed.computeIfAbsent(text, WindowExpression::parse);
    } catch (IllegalArgumentException e) {
      throw new PermanentFailure("metric " + m.name() + ", " + which + ": " + e.getMessage());
    }
  }

  private Exposition scrape() {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "text/plain;version=0.0.4").GET();
    if (token != null) b.header("Authorization", "Bearer " + token);
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      long at = System.nanoTime();
      if (r.statusCode() != 200) {
        throw new IllegalStateException("connection '" + connection.name() + "': scraping " + url + " answered " + r.statusCode());
      }
      try {
        return Exposition.parse(r.body(), at);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("connection '" + connection.name() + "': " + url + " is not a Prometheus text exposition: " + e.getMessage());
      }
    } catch (IOException e) {
      throw new IllegalStateException("connection '" + connection.name() + "': cannot scrape " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scraping " + url, e);
    }
  }
}
