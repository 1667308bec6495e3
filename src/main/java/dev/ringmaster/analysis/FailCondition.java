package dev.ringmaster.analysis;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A metric's {@code failIf}, parsed once when the definition is validated. The forms, for error-rate style
 * metrics ({@code >}) and success-rate style ones ({@code <}):
 * {@code canary > 0.01}, {@code canary > control}, {@code canary > control + 0.001}, {@code canary > control * 1.2},
 * {@code canary < 0.99}, {@code canary < control - 0.01}, {@code canary < control * 0.9}.
 */
public record FailCondition(char comparison, boolean againstControl, char operator, double operand) {

  private static final String NUM = "(\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)";
  private static final Pattern FORM =
      Pattern.compile("\\s*canary\\s*([<>])\\s*(?:control(?:\\s*([-+*])\\s*" + NUM + ")?|" + NUM + ")\\s*");

  public static final String FORMS =
      "canary > 0.01, canary > control, canary > control + 0.001, canary > control * 1.2 (or the same with <)";

  /** @throws IllegalArgumentException naming the accepted forms */
  public static FailCondition parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a failIf expression; accepted forms: " + FORMS);
    }
    char cmp = m.group(1).charAt(0);
    if (m.group(4) != null) return new FailCondition(cmp, false, ' ', Double.parseDouble(m.group(4)));
    if (m.group(2) == null) return new FailCondition(cmp, true, '+', 0);
    return new FailCondition(cmp, true, m.group(2).charAt(0), Double.parseDouble(m.group(3)));
  }

  /** The threshold the canary is compared with; needs a control value when {@link #againstControl()}. */
  public double threshold(double control) {
    if (!againstControl) return operand;
    return switch (operator) {
      case '+' -> control + operand;
      case '-' -> control - operand;
      default -> control * operand;
    };
  }

  public boolean fails(double canary, double control) {
    double t = threshold(control);
    return comparison == '>' ? canary > t : canary < t;
  }

  @Override
  public String toString() {
    String rhs =
        !againstControl
            ? fmt(operand)
            : operand == 0 && operator == '+' ? "control" : "control " + operator + " " + fmt(operand);
    return "canary " + comparison + " " + rhs;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }
}
