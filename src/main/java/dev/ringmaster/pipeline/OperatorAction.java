package dev.ringmaster.pipeline;

/**
 * Who asked for an abort / pause / resume / promote / retry, through which entry point ({@code rest}, {@code cli},
 * {@code slack}; null in histories from before it was recorded), and why.
 */
public record OperatorAction(String by, String source, String reason) {
  /** "sre-on-call via cli" */
  String who() {
    return source == null ? by : by + " via " + source;
  }
}
