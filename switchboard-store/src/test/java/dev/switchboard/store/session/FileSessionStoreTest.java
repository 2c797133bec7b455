package dev.switchboard.store.session;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.SessionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session store SPI over its embedded (file) implementation: save, load, take, remove, expiry, restart. */
class FileSessionStoreTest {

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    private SessionStore open() {
        return FileSessionStore.open(dir, false, clock, Duration.ofHours(1));
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String text(Optional<byte[]> state) {
        return state.map(b -> new String(b, UTF_8)).orElse(null);
    }

    @Test
    void savedStateLoadsUntilTakenOrRemovedAndSurvivesARestart() throws Exception {
        try (SessionStore s = open()) {
            get(s.save("pid-1", "one".getBytes(UTF_8), Duration.ofMinutes(5)));
            get(s.save("pid-1", "one, replaced".getBytes(UTF_8), Duration.ofMinutes(5)));
            get(s.save("pid-2", "two".getBytes(UTF_8), Duration.ofMinutes(5)));
            assertThat(text(get(s.load("pid-1")))).isEqualTo("one, replaced");
            assertThat(text(get(s.load("pid-1")))).as("a load keeps it").isEqualTo("one, replaced");
        }
        try (SessionStore s = open()) {
            assertThat(text(get(s.load("pid-2")))).as("after a restart").isEqualTo("two");
            assertThat(text(get(s.take("pid-1")))).isEqualTo("one, replaced");
            assertThat(get(s.take("pid-1"))).as("taken once").isEmpty();
            get(s.remove("pid-2"));
            assertThat(get(s.load("pid-2"))).isEmpty();
            get(s.remove("never-saved"));
        }
    }

    @Test
    void concurrentTakesGetTheStateOnce() throws Exception {
        try (SessionStore s = open()) {
            get(s.save("pid", "state".getBytes(UTF_8), Duration.ofMinutes(5)));
            CompletableFuture<Optional<byte[]>> a = s.take("pid").toCompletableFuture();
            CompletableFuture<Optional<byte[]>> b = s.take("pid").toCompletableFuture();
            assertThat(get(a).isPresent() ^ get(b).isPresent()).isTrue();
        }
    }

    @Test
    void stateExpiresAfterItsTtlAndIsSweptOnOpen() throws Exception {
        try (SessionStore s = open()) {
            get(s.save("short", "s".getBytes(UTF_8), Duration.ofSeconds(30)));
            get(s.save("long", "l".getBytes(UTF_8), Duration.ofMinutes(10)));
            now.addAndGet(Duration.ofMinutes(1).toMillis());
            assertThat(get(s.load("short"))).isEmpty();
            assertThat(text(get(s.load("long")))).isEqualTo("l");
            get(s.save("other-short", "s".getBytes(UTF_8), Duration.ofSeconds(30)));
        }
        now.addAndGet(Duration.ofMinutes(1).toMillis());
        try (SessionStore s = open()) {
            get(s.load("long")); // runs after the opening sweep (one thread, in order)
            assertThat(dir.resolve("other-short.session")).doesNotExist();
            assertThat(dir.resolve("long.session")).exists();
        }
    }

    @Test
    void idsThatCannotNameAFileAreUnknownAndRefused() throws Exception {
        try (SessionStore s = open()) {
            assertThat(get(s.load("../../etc/passwd"))).isEmpty();
            assertThat(s.save("a/b", new byte[1], Duration.ofMinutes(1)).toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(10));
            try (var files = Files.list(dir)) {
                assertThat(files.count()).isZero();
            }
        }
    }
}
