package dev.switchboard.engineio;

/** The Engine.IO transports this server speaks, named as the protocol names them in {@code transport=}. */
public enum TransportKind {
    /** HTTP long-polling: GET waits for packets, POST carries packets; several joined by {@code \x1e}. */
    POLLING("polling"),
    /** WebSocket: one packet per frame, binary as binary frames. */
    WEBSOCKET("websocket");

    private final String protocolName;

    TransportKind(String protocolName) {
        this.protocolName = protocolName;
    }

    /** The name on the wire ({@code polling}, {@code websocket}). */
    public String protocolName() {
        return protocolName;
    }

    /** The kind with that wire name, or {@code null} for an unknown one. */
    public static TransportKind fromProtocolName(String name) {
        for (TransportKind k : values()) {
            if (k.protocolName.equals(name)) {
                return k;
            }
        }
        return null;
    }
}
