package dev.switchboard.cluster.backplane;

/**
 * One router frame from one node to another, as it crosses Artery: the sender's node id and the
 * router's opaque bytes (an envelope around {@code MessageCodec} bytes). Serialized by
 * {@link BackplaneFrameSerializer}, never by Java serialization.
 */
public record BackplaneFrame(String fromNode, byte[] frame) implements BackplaneInbox.Command {}
