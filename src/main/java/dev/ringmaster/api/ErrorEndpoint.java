package dev.ringmaster.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /error}, where the servlet container forwards what never reached a controller (a malformed request the
 * container refused, an error in a filter): the usual JSON error with the status the container chose. Called
 * directly (no error attributes) it is an unknown endpoint, 404 — never Spring's "999" answered as 500.
 */
@RestController
class ErrorEndpoint implements ErrorController {

  @RequestMapping("/error")
  ResponseEntity<ApiError> error(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    if (!(code instanceof Integer status)) {
      return ResponseEntity.status(HttpStatus.NOT_FOUND).body(new ApiError("no such endpoint: /error", List.of("the API lives under /api/rollouts; see README.md")));
    }
    HttpStatus resolved = HttpStatus.resolve(status);
    String reason = resolved == null ? "error " + status : resolved.getReasonPhrase().toLowerCase();
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    return ResponseEntity.status(status).body(new ApiError(reason + (uri == null ? "" : " (" + uri + ")"), List.of()));
  }
}
