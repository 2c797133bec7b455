/**
 * The routing fabric: who is subscribed to what, and render-once fan-out of protocol-neutral
 * {@link dev.switchboard.core.message.Message}s.
 *
 * <p>A protocol layer implements {@link dev.switchboard.core.routing.Subscriber} for each session
 * (it owns the channel and decides what to do with a slow client), registers a
 * {@link dev.switchboard.core.routing.MessageRenderer} for each of its
 * {@link dev.switchboard.core.routing.WireFormat}s, calls
 * {@link dev.switchboard.core.routing.Router#subscribe}/{@code unsubscribe}/{@code detach} as sessions
 * join, leave and disconnect ({@code subscribePattern} for MQTT-style {@code +}/{@code #} filters over
 * {@code /}-separated room names, see {@link dev.switchboard.core.routing.TopicFilter}), and
 * {@link dev.switchboard.core.routing.Router#publish} with a message. The router renders it once per
 * wire format its subscribers use; a subscriber whose format cannot be rendered is skipped and
 * counted. The router of a node comes from {@code SwitchboardNode.router()}, or
 * {@link dev.switchboard.core.routing.Routers#local()} alone; a node with a backplane gets a
 * {@link dev.switchboard.core.routing.ClusterRouter} that also carries messages, acknowledgements and
 * requests to the other nodes.
 *
 * <p>Cost of a publication (measured by {@code FanOutBenchmark} in switchboard-bench): one rendering
 * per wire format, one task per event loop, and 4 bytes per subscriber in the fabric; each
 * subscriber's {@code retainedDuplicate()} of a pooled frame is recycled on its event loop.
 */
package dev.switchboard.core.routing;
