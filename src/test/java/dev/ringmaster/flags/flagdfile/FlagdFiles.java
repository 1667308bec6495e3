package dev.ringmaster.flags.flagdfile;

import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.flags.FlagProvider;

/** The flagd-file adapter's factory for tests outside its package (production code reaches it only as a Spring bean). */
public final class FlagdFiles {
  private FlagdFiles() {}

  public static AdapterFactory<FlagProvider> factory() {
    return new FlagdFileProviderFactory();
  }
}
