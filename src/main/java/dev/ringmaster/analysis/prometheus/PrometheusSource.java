package dev.ringmaster.analysis.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmaster.analysis.MetricReading;
import dev.ringmaster.analysis.MetricSource;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.HttpEndpoint;
import dev.ringmaster.connection.HttpEndpoint.Answer;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * PromQL instant queries over Prometheus's HTTP API ({@code GET /api/v1/query}). Settings: {@code url}
 * ({@code http://prometheus:9090}), optional {@code token-env} (bearer token), {@code timeout} (10s). Each query
 * must return one number: no series is "no data" (null), {@code NaN} is reported as NaN, more than one series is an
 * error naming them (aggregate with {@code sum(...)}) — never a guess. A query Prometheus cannot parse is a
 * permanent error at pre-flight; an unreachable Prometheus is an error the activity retries.
 */
final class PrometheusSource implements MetricSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Connection connection;
  private final HttpClient http;
  private final HttpEndpoint endpoint;

  PrometheusSource(Connection connection, HttpClient http) {
    this.connection = connection;
    this.http = http;
    this.endpoint = HttpEndpoint.of(connection, "Prometheus", null, "Bearer ", false);
  }

  @Override
  public MetricReading read(Metric m) {
    return new MetricReading(m.name(), value(m, "canary", m.canary()), m.control() == null ? null : value(m, "control", m.control()),
        m.samples() == null ? null : value(m, "samples", m.samples()));
  }

  @Override
  public void check(Metric m) {
    read(m);
  }

  private Double value(Metric m, String which, String query) {
    JsonNode data = query(m, which, query);
    String type = data.path("resultType").asText();
    JsonNode result = data.path("result");
    switch (type) {
      case "scalar" -> {
        return number(result.get(1).asText());
      }
      case "vector" -> {
        if (result.isEmpty()) return null;
        if (result.size() > 1) {
          List<String> series = new ArrayList<>();
          result.forEach(s -> series.add(s.path("metric").toString()));
          throw new PermanentFailure("metric " + m.name() + ": the " + which + " query returned " + result.size() + " series, not one: "
              + String.join(", ", series.subList(0, Math.min(3, series.size()))) + (series.size() > 3 ? ", …" : "")
              + " (aggregate it, e.g. sum(...))");
        }
        return number(result.get(0).path("value").get(1).asText());
      }
      default -> throw new PermanentFailure("metric " + m.name() + ": the " + which + " query returned a " + type
          + ", not an instant vector or scalar (drop the range selector or wrap it in rate(...))");
    }
  }

  private static Double number(String s) {
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  private JsonNode query(Metric m, String which, String query) {
    Answer r = endpoint.send(http, endpoint.request("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)).GET().build());
    JsonNode body;
    try {
      body = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("connection '" + connection.name() + "': Prometheus answered " + r.status() + " with a non-JSON body");
    }
    if (r.status() == 200 && "success".equals(body.path("status").asText())) return body.path("data");
    String error = body.path("errorType").asText("") + ": " + body.path("error").asText(r.body());
    if (r.status() == 400 || r.status() == 422) {
      throw new PermanentFailure("metric " + m.name() + ": Prometheus rejected the " + which + " query `" + query + "`: " + error);
    }
    if (r.status() == 401 || r.status() == 403) {
      throw new PermanentFailure("connection '" + connection.name() + "': Prometheus answered " + r.status() + " (check token-env): " + error);
    }
    throw new IllegalStateException("connection '" + connection.name() + "': Prometheus answered " + r.status() + ": " + error);
  }
}
