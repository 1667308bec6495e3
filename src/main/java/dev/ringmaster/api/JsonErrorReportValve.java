package dev.ringmaster.api;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * What Tomcat answers itself, before any servlet runs (a request line with an encoded NUL, {@code %00}, or another URI
 * it refuses): the usual {@code {"error", "details"}} JSON instead of Tomcat's HTML page. Installed as the host's
 * error report valve by {@link Installer}.
 */
public class JsonErrorReportValve extends ErrorReportValve {

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) return;
    HttpStatus known = HttpStatus.resolve(status);
    String error = (known == null ? "error " + status : known.getReasonPhrase().toLowerCase())
        + (status == 400 ? ": the request line or URI is malformed" : "");
    try {
      response.setContentType("application/json");
      response.setCharacterEncoding(StandardCharsets.UTF_8.name());
      Writer w = response.getReporter();
      if (w != null) {
        w.write("{\"error\":\"" + error.replace("\"", "'") + "\",\"details\":[]}");
        w.flush();
      }
    } catch (IOException | IllegalStateException e) {
      // The client went away; nothing to report to.
    }
  }

  @Component
  static class Installer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {
    @Override
    public void customize(TomcatServletWebServerFactory factory) {
      factory.addContextCustomizers(context -> {
        if (context.getParent() instanceof org.apache.catalina.core.StandardHost host) {
          host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
        }
      });
    }
  }
}
