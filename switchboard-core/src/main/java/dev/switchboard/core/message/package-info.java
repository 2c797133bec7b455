/**
 * The portable message of the fabric: {@link dev.switchboard.core.message.Message} (routing, event,
 * arguments as JSON bytes, attachments, flags, origin, headers, stream position), its id
 * {@link dev.switchboard.core.message.MessageId}, and {@link dev.switchboard.core.message.MessageCodec},
 * the versioned binary form every backplane, broker bridge and store carries.
 */
package dev.switchboard.core.message;
