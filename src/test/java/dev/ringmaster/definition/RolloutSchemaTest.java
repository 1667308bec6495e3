package dev.ringmaster.definition;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.ringmaster.support.TestDefinitions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** workflows/rollout.schema.json, for editors, agrees with the loader on what a definition looks like. */
class RolloutSchemaTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final JsonSchema SCHEMA;

  static {
    try {
      SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
          .getSchema(Files.readString(Path.of("workflows/rollout.schema.json")));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Set<ValidationMessage> check(String yaml) throws Exception {
    JsonNode doc = YAML.readTree(yaml);
    return SCHEMA.validate(doc);
  }

  @Test
  void theExampleAndTheTestDefinitionsConform() throws Exception {
    assertThat(check(Files.readString(Path.of("workflows/example.yaml")))).isEmpty();
    assertThat(check(Files.readString(Path.of("workflows/example-reuse.yaml")))).isEmpty();
    assertThat(check(TestDefinitions.threeRings(TestDefinitions.APPROVAL))).isEmpty();
    assertThat(check(TestDefinitions.WITH_ANALYSIS)).isEmpty();
  }

  @Test
  void theSchemaRejectsWhatTheLoaderRejects() throws Exception {
    String valid = TestDefinitions.threeRings(TestDefinitions.APPROVAL);
    assertThat(check(valid.replace("percent: 5", "percent: 150"))).isNotEmpty();
    assertThat(check(valid.replace("soak: 1h", "soak: an hour"))).isNotEmpty();
    assertThat(check(valid.replace("owner: team-checkout", "owner: team-checkout, color: blue"))).isNotEmpty();
    assertThat(check(TestDefinitions.WITH_ANALYSIS.replace("canary > control + 0.001", "canary >> 2"))).isNotEmpty();
    assertThat(check(TestDefinitions.threeRings("{ approvers: [], timeout: 1h }"))).isNotEmpty();
  }
}
