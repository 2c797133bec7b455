/**
 * Which rooms are durable and how long they keep history ({@link dev.switchboard.core.durable.DurableRooms}):
 * a policy every protocol and every stream store implementation reads, so it depends on no store.
 */
package dev.switchboard.core.durable;
