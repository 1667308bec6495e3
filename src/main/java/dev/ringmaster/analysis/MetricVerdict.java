package dev.ringmaster.analysis;

/** One metric's verdict with the values behind it, as the history shows it. */
public record MetricVerdict(
    String metric, Double canary, Double control, Double samples, String failIf, Outcome outcome, String reason) {

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(metric).append(" canary=").append(fmt(canary));
    if (control != null) sb.append(" control=").append(fmt(control));
    if (samples != null) sb.append(" samples=").append(fmt(samples));
    sb.append(" failIf ").append(failIf).append(" → ").append(outcome);
    if (reason != null) sb.append(" (").append(reason).append(')');
    return sb.toString();
  }

  /** A value as verdicts show it: whole numbers plain, others to 4 significant digits, {@code none} for no data. */
  static String fmt(Double d) {
    if (d == null) return "none";
    if (d.isNaN()) return "NaN";
    return d == Math.rint(d) && Math.abs(d) < 1e12 ? String.valueOf(d.longValue()) : String.format("%.4g", d);
  }
}
