package dev.ringmaster.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringmaster.support.TestDefinitions;
import org.junit.jupiter.api.Test;

/** The definition reader's bounds: size, nesting, duplicate keys. (The time they take: DefinitionParseBenchmark.) */
class DefinitionLimitsTest {

  /** A valid definition of (about) {@code size} characters: the first ring's tenant list made long. */
  static String validOfSize(int size) {
    String base = TestDefinitions.threeRings(TestDefinitions.APPROVAL);
    String marker = "tenants: [acme-internal";
    assertThat(base).contains(marker);
    StringBuilder extra = new StringBuilder();
    for (int i = 0; base.length() + extra.length() + 10 < size; i++) extra.append(", t").append(i);
    int remaining = size - base.length() - extra.length();
    if (remaining >= 3) extra.append(", ").append("x".repeat(remaining - 2));
    return base.replace(marker, marker + extra);
  }

  @Test
  void theLargestAllowedDefinitionLoadsAndOneCharacterMoreIsRefusedBeforeParsing() {
    String largest = validOfSize(DefinitionLoader.MAX_CHARACTERS);
    assertThat(largest.length()).isBetween(DefinitionLoader.MAX_CHARACTERS - 16, DefinitionLoader.MAX_CHARACTERS);
    assertThat(TestDefinitions.load(largest).spec().rings().get(0).audience().tenants()).hasSizeGreaterThan(20_000);

    String tooLarge = largest + "#".repeat(DefinitionLoader.MAX_CHARACTERS - largest.length() + 1);
    assertThatThrownBy(() -> TestDefinitions.load(tooLarge)).isInstanceOf(InvalidDefinitionException.class)
        .hasMessageContaining("(document): is " + (DefinitionLoader.MAX_CHARACTERS + 1) + " characters long, more than the 256 Ki a definition may have");
  }

  @Test
  void deepNestingAndDuplicateKeysAreProblemsNotCrashes() {
    String deep = "apiVersion: ringmaster/v1\nspec: " + "[".repeat(1000) + "]".repeat(1000) + "\n";
    assertThatThrownBy(() -> TestDefinitions.load(deep)).isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("(document)");
    StringBuilder blockDeep = new StringBuilder();
    for (int i = 0; i < 200; i++) blockDeep.append("  ".repeat(i)).append("k").append(i).append(":\n");
    assertThatThrownBy(() -> TestDefinitions.load(blockDeep.toString())).isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("(document)");

    String duplicated = TestDefinitions.threeRings(TestDefinitions.APPROVAL).replace("kind: Rollout\n", "kind: Rollout\nkind: Rollout\n");
    assertThatThrownBy(() -> TestDefinitions.load(duplicated)).isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("kind");
  }
}
