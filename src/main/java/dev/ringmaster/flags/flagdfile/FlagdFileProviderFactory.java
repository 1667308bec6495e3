package dev.ringmaster.flags.flagdfile;

import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.flags.FlagProvider;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/** {@code kind: flagd-file}: settings {@code path} (the flagd JSON file) and {@code tenant-field} (default tenantId). */
@Component
class FlagdFileProviderFactory implements AdapterFactory<FlagProvider> {
  @Override
  public String kind() {
    return "flagd-file";
  }

  @Override
  public FlagProvider create(Connection c) {
    return new FlagdFileProvider(Path.of(c.require("path")), c.setting("tenant-field").orElse("tenantId"));
  }
}
