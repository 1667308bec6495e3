package dev.ringmaster.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ringmaster.definition.Audience;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Kill switches arriving together are committed together; a failed group falls back to one call per flag. */
class KillSwitchBatcherTest {
  /** A provider whose first kill switch blocks until released, so the others queue behind it. */
  static final class Provider implements FlagProvider {
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch firstCalled = new CountDownLatch(1);
    final List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
    final List<String> singles = Collections.synchronizedList(new ArrayList<>());
    final Set<String> off = ConcurrentHashMap.newKeySet();
    volatile String broken;

    @Override
    public FlagChange killSwitch(FlagTarget flag) {
      singles.add(flag.key());
      if (firstCalled.getCount() > 0) {
        firstCalled.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (flag.key().equals(broken)) throw new IllegalStateException("flag " + flag.key() + " is locked");
      off.add(flag.key());
      return new FlagChange(flag.key(), "kill switch", "nobody", "single", Duration.ZERO);
    }

    @Override
    public List<FlagChange> killSwitchAll(List<FlagTarget> flags) {
      groups.add(flags.stream().map(FlagTarget::key).toList());
      if (broken != null && flags.stream().anyMatch(f -> f.key().equals(broken))) throw new IllegalStateException("bulk refused");
      flags.forEach(f -> off.add(f.key()));
      return flags.stream().map(f -> new FlagChange(f.key(), "kill switch", "nobody", "group", Duration.ZERO)).toList();
    }

    @Override
    public FlagSnapshot capture(FlagTarget flag) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FlagChange enable(FlagTarget flag, String ring, Audience cumulative) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FlagChange removeRules(FlagTarget flag) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FlagChange restore(FlagTarget flag, FlagSnapshot prior) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FlagChange retire(FlagTarget flag) {
      throw new UnsupportedOperationException();
    }
  }

  static FlagTarget flag(String key) {
    return new FlagTarget("flags", key, "rollout-" + key, "team", null);
  }

  /** The first kill switch runs alone and blocks; ten more arrive meanwhile; the first is then released. */
  static List<Future<FlagChange>> tenBehindOne(KillSwitchBatcher batcher, Provider p, ExecutorService pool) throws Exception {
    List<Future<FlagChange>> results = new ArrayList<>();
    results.add(pool.submit(() -> batcher.killSwitch(p, flag("first"))));
    p.firstCalled.await(10, TimeUnit.SECONDS);
    for (int i = 0; i < 10; i++) {
      String key = "flag-" + i;
      results.add(pool.submit(() -> batcher.killSwitch(p, flag(key))));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> pool instanceof java.util.concurrent.ThreadPoolExecutor t && t.getActiveCount() == 11);
    Thread.sleep(100); // the ten are queued behind the first commit
    p.release.countDown();
    return results;
  }

  @Test
  void killSwitchesThatArriveWhileOneRunsAreCommittedAsOneGroup() throws Exception {
    Provider p = new Provider();
    ExecutorService pool = Executors.newFixedThreadPool(11);
    try {
      List<Future<FlagChange>> results = tenBehindOne(new KillSwitchBatcher(), p, pool);
      assertThat(results.get(0).get(10, TimeUnit.SECONDS).providerRef()).isEqualTo("single");
      for (int i = 1; i <= 10; i++) {
        FlagChange c = results.get(i).get(10, TimeUnit.SECONDS);
        assertThat(c.flagKey()).as("each caller gets its own flag's change").isEqualTo("flag-" + (i - 1));
        assertThat(c.providerRef()).isEqualTo("group");
      }
      assertThat(p.singles).containsExactly("first");
      assertThat(p.groups).singleElement().asList().hasSize(10);
      assertThat(p.off).hasSize(11);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedGroupFallsBackToOneCallPerFlagSoOneBrokenFlagKeepsNoOtherOn() throws Exception {
    Provider p = new Provider();
    p.broken = "flag-3";
    ExecutorService pool = Executors.newFixedThreadPool(11);
    try {
      List<Future<FlagChange>> results = tenBehindOne(new KillSwitchBatcher(), p, pool);
      for (int i = 0; i <= 10; i++) {
        Future<FlagChange> r = results.get(i);
        if (i == 4) {
          assertThatThrownBy(() -> r.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IllegalStateException.class).hasMessageContaining("flag flag-3 is locked");
        } else {
          assertThat(r.get(10, TimeUnit.SECONDS).providerRef()).isEqualTo("single");
        }
      }
      assertThat(p.groups).hasSize(1);
      assertThat(p.off).hasSize(10).doesNotContain("flag-3");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aKillSwitchAloneIsOneCallAndWaitsForNothing() {
    Provider p = new Provider();
    p.firstCalled.countDown();
    assertThat(new KillSwitchBatcher().killSwitch(p, flag("alone")).providerRef()).isEqualTo("single");
    assertThat(p.groups).isEmpty();
  }
}
