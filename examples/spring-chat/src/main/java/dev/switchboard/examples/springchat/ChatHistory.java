package dev.switchboard.examples.springchat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Numbers each room's messages and remembers the last text: an application bean the handlers use. */
public class ChatHistory {

    private final AtomicLong ids = new AtomicLong();
    private final Map<String, String> last = new ConcurrentHashMap<>();

    long record(String room, String text) {
        last.put(room, text);
        return ids.incrementAndGet();
    }

    String last(String room) {
        return last.getOrDefault(room, "");
    }
}
