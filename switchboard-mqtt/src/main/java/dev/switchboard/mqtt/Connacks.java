package dev.switchboard.mqtt;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;

/** The CONNACKs the gateway answers a CONNECT with. Stateless. */
final class Connacks {

    private Connacks() {}

    /**
     * The v5 properties of an accepted CONNACK: the limits the client must respect and every optional feature
     * announced as available. {@code expiry} differs from {@code requestedExpiry} when the server capped it
     * (3.2.2.3.2: the server then says which interval it uses); {@code assignedClientId} null when the client
     * chose its own.
     */
    static MqttProperties accepted(MqttConfig config, long expiry, long requestedExpiry, String assignedClientId) {
        MqttProperties props = new MqttProperties();
        props.add(new IntegerProperty(MqttPropertyType.RECEIVE_MAXIMUM.value(), config.receiveMaximum()));
        props.add(new IntegerProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), config.maxPacketSize()));
        props.add(new IntegerProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value(), config.topicAliasMaximum()));
        props.add(new IntegerProperty(MqttPropertyType.RETAIN_AVAILABLE.value(), 1));
        props.add(new IntegerProperty(MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE.value(), 1));
        props.add(new IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE.value(), 1));
        props.add(new IntegerProperty(MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value(), 1));
        if (expiry != requestedExpiry) {
            props.add(new IntegerProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), (int) expiry));
        }
        if (assignedClientId != null) {
            props.add(new MqttProperties.StringProperty(MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value(),
                    assignedClientId));
        }
        return props;
    }

    static MqttConnAckMessage refused(MqttConnectReturnCode code) {
        return MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build();
    }

    /** "Bad user name or password": 3.1.1 return code 4; 5.0 reason code 0x86 with {@code reason} as Reason String. */
    static MqttConnAckMessage badCredentials(boolean v5, String reason) {
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5) {
            props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttPropertyType.REASON_STRING.value(), reason));
        }
        return MqttMessageBuilders.connAck()
                .returnCode(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                        : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD)
                .sessionPresent(false).properties(props).build();
    }
}
