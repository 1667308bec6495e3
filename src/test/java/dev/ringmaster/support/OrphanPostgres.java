package dev.ringmaster.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;

/**
 * A process that starts an embedded PostgreSQL in a data directory and then only waits: killed with SIGKILL, it
 * leaves that PostgreSQL running as an orphan holding {@code postmaster.pid}, as a killed Ringmaster does.
 */
public final class OrphanPostgres {
  private OrphanPostgres() {}

  public static void main(String[] args) throws Exception {
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(Path.of(args[0])).setCleanDataDirectory(false)
        .setServerConfig("listen_addresses", "localhost").start();
    System.out.println("ready " + pg.getPort());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
