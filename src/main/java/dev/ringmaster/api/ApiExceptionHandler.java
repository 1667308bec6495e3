package dev.ringmaster.api;

import dev.ringmaster.definition.InvalidDefinitionException;
import dev.ringmaster.definition.Problem;
import dev.ringmaster.rollouts.CommandRefused;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Errors are JSON with a 4xx status and a message a person can act on; never a stack trace. */
@RestControllerAdvice
class ApiExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
  private final String temporalTarget;

  ApiExceptionHandler(@Value("${spring.temporal.connection.target:127.0.0.1:7233}") String temporalTarget) {
    this.temporalTarget = temporalTarget;
  }

  /** Temporal down or not answering: a gRPC UNAVAILABLE or DEADLINE_EXCEEDED anywhere in the cause chain. */
  static boolean temporalUnreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s
          && (s.getStatus().getCode() == Status.Code.UNAVAILABLE || s.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED)) {
        return true;
      }
    }
    return false;
  }

  @ExceptionHandler(CommandRefused.class)
  ResponseEntity<ApiError> refused(CommandRefused e) {
    HttpStatus status = switch (e.reason()) {
      case INVALID -> HttpStatus.BAD_REQUEST;
      case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
      case FORBIDDEN -> HttpStatus.FORBIDDEN;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case CONFLICT -> HttpStatus.CONFLICT;
      case PENDING -> HttpStatus.ACCEPTED;
      case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
    };
    ResponseEntity.BodyBuilder answer = ResponseEntity.status(status);
    if (e.reason() == CommandRefused.Reason.UNAVAILABLE) answer.header(HttpHeaders.RETRY_AFTER, "5");
    return answer.body(new ApiError(e.getMessage(), e.details()));
  }

  @ExceptionHandler(InvalidDefinitionException.class)
  ResponseEntity<ApiError> invalid(InvalidDefinitionException e) {
    return ResponseEntity.badRequest().body(new ApiError("invalid rollout definition: " + e.problems().size() + " problem(s)",
        e.problems().stream().map(Problem::toString).toList()));
  }

  /** A body without Content-Length that grew past the limit while it was read. */
  private static RequestBodyLimit.TooLarge tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RequestBodyLimit.TooLarge l) return l;
    }
    return null;
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<ApiError> unreadable(HttpMessageNotReadableException e) {
    RequestBodyLimit.TooLarge large = tooLarge(e);
    if (large != null) return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(RequestBodyLimit.error(large.limit));
    return ResponseEntity.badRequest().body(new ApiError("request body is not valid JSON for this endpoint",
        List.of("send Content-Type: application/json; see README.md for the fields")));
  }

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  ResponseEntity<ApiError> mediaType(HttpMediaTypeNotSupportedException e) {
    return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).body(new ApiError("send Content-Type: application/json", List.of()));
  }

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  ResponseEntity<ApiError> method(HttpRequestMethodNotSupportedException e) {
    return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED).body(new ApiError(e.getMethod() + " is not supported here", List.of()));
  }

  @ExceptionHandler(NoResourceFoundException.class)
  ResponseEntity<ApiError> noRoute(NoResourceFoundException e) {
    return ResponseEntity.status(HttpStatus.NOT_FOUND).body(new ApiError("no such endpoint: /" + e.getResourcePath(),
        List.of("the API lives under /api/rollouts; see README.md")));
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  ResponseEntity<ApiError> missingParameter(MissingServletRequestParameterException e) {
    return ResponseEntity.badRequest().body(new ApiError("query parameter '" + e.getParameterName() + "' is required", List.of()));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ApiError> wrongType(MethodArgumentTypeMismatchException e) {
    return ResponseEntity.badRequest().body(new ApiError("'" + e.getName() + "' has the wrong type: '" + e.getValue() + "'", List.of()));
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ApiError> unexpected(Exception e) {
    RequestBodyLimit.TooLarge large = tooLarge(e);
    if (large != null) return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(RequestBodyLimit.error(large.limit));
    if (temporalUnreachable(e)) {
      log.warn("answering 503: Temporal at {} is unreachable ({})", temporalTarget, e.getMessage());
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(new ApiError("Temporal at " + temporalTarget + " is unreachable",
          List.of("nothing was changed; Ringmaster reconnects by itself when Temporal is back",
              "check the dev server (./ringmaster-dev-server status) or spring.temporal.connection.target; /actuator/health says more")));
    }
    log.error("unexpected error answering an API request", e);
    return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
        .body(new ApiError("internal error (" + e.getClass().getSimpleName() + "); the server log has the details", List.of()));
  }
}
