package dev.ringmaster.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmaster.config.RingmasterProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Request bodies larger than {@code ringmaster.api.max-request-body} are answered 413 with the usual JSON error:
 * at once when the Content-Length says so, and when a body without one (chunked) grows past the limit while it is
 * read ({@link TooLarge}, mapped by {@link ApiExceptionHandler}). Nothing is parsed, started or changed.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestBodyLimit extends OncePerRequestFilter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final long limit;

  RequestBodyLimit(RingmasterProperties props) {
    this.limit = props.api().maxRequestBody().toBytes();
  }

  /** Thrown while reading a body that turned out larger than the limit. */
  static final class TooLarge extends IOException {
    final long limit;

    TooLarge(long limit) {
      super("request body larger than " + limit + " bytes");
      this.limit = limit;
    }
  }

  static ApiError error(long limit) {
    return new ApiError("request body too large: the limit is " + describe(limit),
        List.of("a rollout definition is a few kilobytes; ringmaster.api.max-request-body sets the limit"));
  }

  static String describe(long bytes) {
    return bytes % 1024 == 0 ? (bytes / 1024) + " KiB" : bytes + " bytes";
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > limit) {
      // The body is not read; the connection is closed so the client does not have to send it all.
      response.setHeader("Connection", "close");
      response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
      response.setContentType(MediaType.APPLICATION_JSON_VALUE);
      JSON.writeValue(response.getOutputStream(), error(limit));
      return;
    }
    chain.doFilter(new Limited(request, limit), response);
  }

  private static final class Limited extends HttpServletRequestWrapper {
    private final long limit;
    private ServletInputStream stream;

    Limited(HttpServletRequest request, long limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) stream = new Counting(super.getInputStream(), limit);
      return stream;
    }

    @Override
    public java.io.BufferedReader getReader() throws IOException {
      return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(),
          getCharacterEncoding() == null ? java.nio.charset.StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(getCharacterEncoding())));
    }
  }

  private static final class Counting extends ServletInputStream {
    private final ServletInputStream in;
    private final long limit;
    private long read;

    Counting(ServletInputStream in, long limit) {
      this.in = in;
      this.limit = limit;
    }

    private int count(int n) throws TooLarge {
      if (n > 0 && (read += n) > limit) throw new TooLarge(limit);
      return n;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) count(1);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return count(in.read(b, off, len));
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}
