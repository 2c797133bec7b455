package dev.switchboard.rabbitmq.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.typesafe.config.ConfigFactory;
import dev.switchboard.core.message.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The bridge's options and mapping rules, without a broker: room from the routing key, a header or fixed;
 * event fixed or from a header; JSON and binary bodies; what cannot be mapped and why; outbound routes and
 * routing-key templates; the id window.
 */
class MappingRulesTest {

    private static BridgeOptions options(String hocon) {
        return BridgeOptions.read("b", ConfigFactory.parseString(hocon));
    }

    private static final Envelope ENVELOPE = new Envelope(1, false, "news", "sports");

    private static AMQP.BasicProperties headers(Map<String, Object> h) {
        return new AMQP.BasicProperties.Builder().headers(h).messageId("m1").build();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roomFromTheRoutingKeyAndAFixedEventWithAJsonBody() throws Exception {
        InboundRule rule = options("inbound = [ { exchange = news, event = \"fixed:news\" } ]").inbound().get(0);
        assertThat(rule.queue()).isEqualTo("switchboard.bridge.b.news");
        assertThat(rule.queueType()).isEqualTo("quorum");
        assertThat(rule.bindingKeys()).containsExactly("#");
        Message m = new InboundMapping(1000).map(rule, ENVELOPE, headers(null), utf8("{\"t\":1}"));
        assertThat(m.space()).isEqualTo("/");
        assertThat(m.rooms()).containsExactly("sports");
        assertThat(m.event()).isEqualTo("news");
        assertThat(m.argumentsJson()).isEqualTo("[{\"t\":1}]");
        assertThat(m.headers()).containsEntry("amqp-exchange", "news").containsEntry("amqp-routing-key", "sports")
                .containsEntry("amqp-message-id", "m1");
    }

    @Test
    void roomAndEventFromHeadersWithABinaryBody() throws Exception {
        InboundRule rule = options("inbound = [ { exchange = x, namespace = \"/iot\", room = \"header:room\", "
                + "event = \"header:kind\", body = binary } ]").inbound().get(0);
        Message m = new InboundMapping(1000).map(rule, ENVELOPE, headers(Map.of("room", "r1", "kind", "blob")),
                new byte[] {0, 1, 2});
        assertThat(m.space()).isEqualTo("/iot");
        assertThat(m.rooms()).containsExactly("r1");
        assertThat(m.event()).isEqualTo("blob");
        assertThat(m.argumentsJson()).isEqualTo("[{\"_placeholder\":true,\"num\":0}]");
        assertThat(m.attachmentsCopy().get(0)).containsExactly(0, 1, 2);
    }

    @Test
    void aFixedRoomOrNoRoomAtAll() throws Exception {
        InboundRule fixed = options("inbound = [ { exchange = x, room = \"fixed:lobby\", event = \"fixed:e\" } ]").inbound().get(0);
        assertThat(new InboundMapping(1000).map(fixed, ENVELOPE, headers(null), utf8("1")).rooms()).containsExactly("lobby");
        InboundRule none = options("inbound = [ { exchange = x, room = none, event = \"fixed:e\" } ]").inbound().get(0);
        assertThat(new InboundMapping(1000).map(none, ENVELOPE, headers(null), utf8("1")).rooms()).isEmpty();
    }

    @Test
    void whatCannotBeMappedSaysWhy() {
        InboundMapping mapping = new InboundMapping(10);
        InboundRule byHeader = options("inbound = [ { exchange = x, room = \"header:room\", event = \"header:kind\" } ]").inbound().get(0);
        InboundRule json = options("inbound = [ { exchange = x, event = \"fixed:e\" } ]").inbound().get(0);
        assertThat(reason(() -> mapping.map(byHeader, ENVELOPE, headers(Map.of("kind", "k")), utf8("1")))).isEqualTo(InboundMapping.Reason.NO_ROOM);
        assertThat(reason(() -> mapping.map(byHeader, ENVELOPE, headers(Map.of("room", "r")), utf8("1")))).isEqualTo(InboundMapping.Reason.NO_EVENT);
        assertThat(reason(() -> mapping.map(json, ENVELOPE, headers(null), utf8("{oops")))).isEqualTo(InboundMapping.Reason.NOT_JSON);
        assertThat(reason(() -> mapping.map(json, ENVELOPE, headers(null), utf8("1 2")))).isEqualTo(InboundMapping.Reason.NOT_JSON);
        assertThat(reason(() -> mapping.map(json, ENVELOPE, headers(null), utf8("   ")))).isEqualTo(InboundMapping.Reason.NOT_JSON);
        assertThat(reason(() -> mapping.map(json, ENVELOPE, headers(null), utf8("\"0123456789\"")))).isEqualTo(InboundMapping.Reason.TOO_LARGE);
        assertThat(reason(() -> mapping.map(json, new Envelope(1, false, "x", ""), headers(null), utf8("1")))).isEqualTo(InboundMapping.Reason.NO_ROOM);
    }

    private interface Mapping {
        Message run() throws InboundMapping.Unmappable;
    }

    private static InboundMapping.Reason reason(Mapping m) {
        try {
            m.run();
            throw new AssertionError("mapped");
        } catch (InboundMapping.Unmappable e) {
            assertThat(e.getMessage()).isNotEmpty();
            return e.reason;
        }
    }

    @Test
    void outboundRoutesMatchByNamespaceEventAndRoomAndFillTheirRoutingKey() {
        BridgeOptions o = options("""
                outbound = [
                  { event = order, exchange = orders, routing-key = "order" }
                  { room = "shop/#", exchange = shop, routing-key = "{room}.{event}" }
                ]""");
        Message order = Message.builder("/", "order").build();
        Message shipped = Message.builder("/", "shipped").rooms(Set.of("shop/eu")).build();
        Message other = Message.builder("/admin", "order").build();
        assertThat(o.outbound().get(0).matches(order)).isTrue();
        assertThat(o.outbound().get(0).routingKeyFor(order)).isEqualTo("order");
        assertThat(o.outbound().get(0).matches(other)).as("another namespace").isFalse();
        assertThat(o.outbound().get(1).matches(shipped)).isTrue();
        assertThat(o.outbound().get(1).routingKeyFor(shipped)).isEqualTo("shop/eu.shipped");
        assertThat(o.outbound().get(1).matches(order)).isFalse();
    }

    @Test
    void aWrongOptionIsNamed() {
        assertThatThrownBy(() -> options("inbound = [ { exchange = x, event = \"fixed:e\", rooom = y } ]"))
                .hasMessageContaining("options.inbound[0].rooom: unknown key");
        assertThatThrownBy(() -> options("inbound = [ { exchange = x } ]")).hasMessageContaining("options.inbound[0].event: required");
        assertThatThrownBy(() -> options("inbound = [ { exchange = x, event = \"routing-key\" } ]")).hasMessageContaining("options.inbound[0].event");
        assertThatThrownBy(() -> options("inbound = [ { exchange = x, event = \"fixed:e\", queue-type = stream } ]")).hasMessageContaining("queue-type");
        assertThatThrownBy(() -> options("outbound = [ { event = e, exchange = x, exchange-type = nope } ]")).hasMessageContaining("exchange-type");
        assertThatThrownBy(() -> options("")).hasMessageContaining("neither inbound nor outbound");
    }

    @Test
    void theIdWindowForgetsByAgeAndBySize() {
        IdWindow w = new IdWindow(Duration.ofSeconds(10), 2);
        w.add("a", 0);
        assertThat(w.contains("a", 5_000)).isTrue();
        assertThat(w.contains("a", 10_001)).as("past the window").isFalse();
        w.add("b", 1);
        w.add("c", 2);
        assertThat(w.contains("a", 3)).as("pushed out by size").isFalse();
        assertThat(w.contains("b", 3)).isTrue();
        assertThat(w.size()).isEqualTo(2);
    }
}
