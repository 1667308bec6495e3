package dev.ringmaster.definition;

import dev.ringmaster.support.TestDefinitions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * How long reading a definition takes at the size limit ({@link DefinitionLoader#MAX_CHARACTERS}): a valid one, one
 * with thousands of unknown fields (thousands of problems), one long scalar, and one just over the limit.
 * <pre>mvn test -Dtest=DefinitionParseBenchmark -Dringmaster.benchmark=true</pre>
 * Results go to the console and target/benchmarks/definition-parse.md; BENCHMARKS.md keeps the figures.
 */
class DefinitionParseBenchmark {
  static final int RUNS = Integer.getInteger("ringmaster.benchmark.runs", 50);

  @Test
  void parseTimesAtTheLimit() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("ringmaster.benchmark"), "a benchmark: run with -Dringmaster.benchmark=true");
    int max = DefinitionLoader.MAX_CHARACTERS;
    String valid = DefinitionLimitsTest.validOfSize(max);
    StringBuilder unknown = new StringBuilder(TestDefinitions.threeRings(TestDefinitions.APPROVAL));
    for (int i = 0; unknown.length() < max - 20; i++) unknown.append("f").append(i).append(": 1\n");
    String scalar = "apiVersion: ringmaster/v1\nkind: " + "k".repeat(max - 40) + "\n";
    String over = valid + "#".repeat(max);
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("valid, " + valid.length() + " chars", valid);
    inputs.put("unknown fields, " + unknown.length() + " chars", unknown.toString());
    inputs.put("one scalar, " + scalar.length() + " chars", scalar);
    inputs.put("over the limit, " + over.length() + " chars", over);
    List<String> rows = new ArrayList<>();
    for (var e : inputs.entrySet()) {
      for (int i = 0; i < 5; i++) time(e.getValue()); // warm-up
      long[] ns = new long[RUNS];
      for (int i = 0; i < RUNS; i++) ns[i] = time(e.getValue());
      Arrays.sort(ns);
      rows.add("| " + e.getKey() + " | " + RUNS + " | " + ms(ns[RUNS / 2]) + " | " + ms(ns[RUNS - 1]) + " |");
    }
    String table = "| input | runs | median | max |\n|---|---|---|---|\n" + String.join("\n", rows) + "\n";
    System.out.println(table);
    Files.createDirectories(Path.of("target/benchmarks"));
    Files.writeString(Path.of("target/benchmarks/definition-parse.md"), table);
  }

  private static long time(String yaml) {
    long t = System.nanoTime();
    try {
      TestDefinitions.load(yaml);
    } catch (InvalidDefinitionException expected) {
      // refused or not: the time is what counts
    }
    return System.nanoTime() - t;
  }

  private static String ms(long ns) {
    return String.format("%.1f ms", ns / 1e6);
  }
}
