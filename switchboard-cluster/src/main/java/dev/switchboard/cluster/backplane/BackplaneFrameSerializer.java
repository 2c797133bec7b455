package dev.switchboard.cluster.backplane;

import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko serializer of {@link BackplaneFrame} (bound in this module's {@code reference.conf}). The frame
 * is already the router's binary envelope, so this only prefixes the sender:
 *
 * <pre>
 *   version      1 byte    1
 *   nodeIdLength 1 byte    1..255 (node ids are short: letters, digits, '-', '_', '.')
 *   nodeId       UTF-8
 *   frame        the rest, as the router wrote it
 * </pre>
 * One copy per direction: the frame into the output array, and out of the input array.
 */
public final class BackplaneFrameSerializer extends JSerializer {

    /** Pekko serializer ids below 40 are Pekko's own; this one is fixed forever (nodes of mixed versions). */
    public static final int IDENTIFIER = 13_2551;

    private static final int VERSION = 1;

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    @Override
    public byte[] toBinary(Object o) {
        if (!(o instanceof BackplaneFrame f)) {
            throw new IllegalArgumentException("cannot serialize " + o.getClass().getName());
        }
        byte[] id = f.fromNode().getBytes(StandardCharsets.UTF_8);
        if (id.length == 0 || id.length > 255) {
            throw new IllegalArgumentException("node id must be 1..255 bytes, was " + id.length);
        }
        byte[] out = new byte[2 + id.length + f.frame().length];
        out[0] = VERSION;
        out[1] = (byte) id.length;
        System.arraycopy(id, 0, out, 2, id.length);
        System.arraycopy(f.frame(), 0, out, 2 + id.length, f.frame().length);
        return out;
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        if (bytes.length < 3 || bytes[0] != VERSION) {
            throw new IllegalArgumentException(new NotSerializableException("backplane frame: "
                    + (bytes.length < 3 ? bytes.length + " bytes is too short" : "version " + bytes[0] + " not supported")));
        }
        int idLength = bytes[1] & 0xFF;
        if (idLength == 0 || 2 + idLength > bytes.length) {
            throw new IllegalArgumentException("backplane frame: node id length " + idLength + " exceeds the "
                    + bytes.length + " bytes received");
        }
        String node = new String(bytes, 2, idLength, StandardCharsets.UTF_8);
        byte[] frame = java.util.Arrays.copyOfRange(bytes, 2 + idLength, bytes.length);
        return new BackplaneFrame(node, frame);
    }
}
