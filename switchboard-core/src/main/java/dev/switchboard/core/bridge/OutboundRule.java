package dev.switchboard.core.bridge;

import java.util.Objects;

/**
 * Which fabric messages leave through a bridge: those published in {@code space} to a room matched by
 * {@code roomFilter}, an MQTT-style topic filter over {@code /}-separated room names ({@code +} one level,
 * {@code #} the rest; a name without wildcards is one room). A message reaches the bridge at most once
 * however many rules match it. Whole-space publications (no room) match no rule.
 */
public record OutboundRule(String space, String roomFilter) {

    public OutboundRule {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(roomFilter, "roomFilter");
        if (!space.startsWith("/")) {
            throw new IllegalArgumentException("a namespace starts with '/', was '" + space + "'");
        }
        // Validates the filter (the message says what is wrong with it).
        dev.switchboard.core.routing.TopicFilter.of(roomFilter);
    }
}
