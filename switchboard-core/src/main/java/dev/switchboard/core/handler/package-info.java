/**
 * Running user handlers contained: errors handed back (for an error ack) and never closing a
 * connection, blocking handlers on a bounded pool, and a watchdog naming handlers that hold an event
 * loop. See {@link dev.switchboard.core.handler.HandlerRunner}.
 */
package dev.switchboard.core.handler;
