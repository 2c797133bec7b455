/**
 * The routing fabric: who is subscribed to what, and encode-once fan-out.
 *
 * <p>A protocol layer implements {@link dev.switchboard.core.routing.Subscriber} for each session
 * (it owns the channel and decides what to do with a slow client), calls
 * {@link dev.switchboard.core.routing.Router#subscribe}/{@code unsubscribe}/{@code detach} as sessions
 * join, leave and disconnect ({@code subscribePattern} for MQTT-style {@code +}/{@code #} filters over
 * {@code /}-separated room names, see {@link dev.switchboard.core.routing.TopicFilter}), and
 * {@link dev.switchboard.core.routing.Router#publish} with a
 * {@link dev.switchboard.core.routing.MessageEncoder} that encodes the packet once per
 * {@link dev.switchboard.core.routing.WireFormat}. The router of a node comes from
 * {@code SwitchboardNode.router()}, or {@link dev.switchboard.core.routing.Routers#local()} alone.
 *
 * <p>Cost of a publication (measured by {@code FanOutBenchmark} in switchboard-bench): one encoding
 * per wire format, one task per event loop, and 4 bytes per subscriber in the fabric; each
 * subscriber's {@code retainedDuplicate()} of a pooled frame is recycled on its event loop.
 */
package dev.switchboard.core.routing;
