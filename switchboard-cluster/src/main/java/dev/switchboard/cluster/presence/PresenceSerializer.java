package dev.switchboard.cluster.presence;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko serializer of {@link NodePresence} (bound in this module's {@code reference.conf}), as Distributed
 * Data gossips it: a version byte, then counts and modified-UTF-8 strings ({@link DataOutputStream}).
 * Counts are checked against what remains before anything is allocated.
 */
public final class PresenceSerializer extends JSerializer {

    /** Fixed forever (nodes of mixed versions gossip to each other). */
    public static final int IDENTIFIER = 132_552;

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
        if (!(o instanceof NodePresence p)) {
            throw new IllegalArgumentException("cannot serialize " + o.getClass().getName());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(p.nodeId());
            out.writeUTF(p.address());
            out.writeInt(p.namespaces().size());
            for (Map.Entry<String, List<NodePresence.SocketPresence>> e : p.namespaces().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().size());
                for (NodePresence.SocketPresence s : e.getValue()) {
                    out.writeUTF(s.id());
                    out.writeUTF(s.userId());
                    out.writeUTF(s.remoteAddress());
                    out.writeUTF(s.transport());
                    out.writeUTF(s.connectedAt());
                    out.writeInt(s.rooms().size());
                    for (String r : s.rooms()) {
                        out.writeUTF(r);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("presence entry version " + version + " not supported");
            }
            String nodeId = in.readUTF();
            String address = in.readUTF();
            int namespaces = count(in, bytes.length);
            Map<String, List<NodePresence.SocketPresence>> out = new HashMap<>();
            for (int i = 0; i < namespaces; i++) {
                String ns = in.readUTF();
                int sockets = count(in, bytes.length);
                List<NodePresence.SocketPresence> list = new ArrayList<>(sockets);
                for (int j = 0; j < sockets; j++) {
                    String id = in.readUTF();
                    String user = in.readUTF();
                    String remote = in.readUTF();
                    String transport = in.readUTF();
                    String at = in.readUTF();
                    int rooms = count(in, bytes.length);
                    Set<String> rs = new HashSet<>();
                    for (int k = 0; k < rooms; k++) {
                        rs.add(in.readUTF());
                    }
                    list.add(new NodePresence.SocketPresence(id, user, rs, remote, transport, at));
                }
                out.put(ns, list);
            }
            return new NodePresence(nodeId, address, out);
        } catch (IOException e) {
            throw new IllegalArgumentException("presence entry truncated: " + e, e);
        }
    }

    /** A count, which cannot exceed the bytes of the entry (each counted item takes at least 2). */
    private static int count(DataInputStream in, int total) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > total / 2) {
            throw new IllegalArgumentException("presence entry: count " + n + " impossible in " + total + " bytes");
        }
        return n;
    }
}
