package dev.switchboard.socketio.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MemoryRecoveryTest {

    private static ArrayNode event(String name) {
        return JsonNodeFactory.instance.arrayNode().add(name);
    }

    private static String offsetOf(ArrayNode data) {
        return data.get(data.size() - 1).textValue();
    }

    @Test
    void replaysOnlyWhatTheSessionsRoomsWouldHaveReceived() {
        MemoryRecovery store = new MemoryRecovery(120_000, 10_000, System::currentTimeMillis);
        ArrayNode seen = event("seen");
        store.append(seen, Set.of(), Set.of());
        store.append(event("to-r"), Set.of("r"), Set.of());
        store.append(event("to-other"), Set.of("other"), Set.of());
        store.append(event("except-r"), Set.of(), Set.of("r"));
        store.append(event("all"), Set.of(), Set.of());
        store.persist("sid", "pid", Set.of("sid", "r"), Map.of("k", "v"));
        RecoveryBackend.Restored r = store.restoreNow("pid", offsetOf(seen));
        assertThat(r.session().sid()).isEqualTo("sid");
        assertThat(r.session().data()).containsEntry("k", "v");
        assertThat(r.missedPackets()).extracting(p -> p.get(0).textValue()).containsExactly("to-r", "all");
        assertThat(store.restoreNow("pid", offsetOf(seen))).as("a session is restored once").isNull();
    }

    @Test
    void anOffsetNoLongerKeptMeansNoRecoveryRatherThanAGap() {
        MemoryRecovery store = new MemoryRecovery(120_000, 2, System::currentTimeMillis);
        ArrayNode first = event("first");
        store.append(first, Set.of(), Set.of());
        store.append(event("second"), Set.of(), Set.of());
        store.append(event("third"), Set.of(), Set.of());
        store.persist("sid", "pid", Set.of("sid"), Map.of());
        assertThat(store.restoreNow("pid", offsetOf(first))).isNull();
    }

    @Test
    void sessionsExpireAfterMaxDisconnectionDuration() {
        AtomicLong now = new AtomicLong(1_000_000);
        MemoryRecovery store = new MemoryRecovery(50, 10_000, now::get);
        ArrayNode last = event("last");
        store.append(last, Set.of(), Set.of());
        store.persist("sid", "pid", Set.of("sid"), Map.of());
        now.addAndGet(40);
        store.append(event("later"), Set.of(), Set.of());
        store.persist("sid2", "pid2", Set.of("sid2"), Map.of());
        assertThat(store.restoreNow("pid2", offsetOf(last))).as("within 50 ms").isNotNull();
        now.addAndGet(11);
        assertThat(store.restoreNow("pid", offsetOf(last))).as("51 ms after the disconnection").isNull();
    }
}
