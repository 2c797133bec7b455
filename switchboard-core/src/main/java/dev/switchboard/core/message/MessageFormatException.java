package dev.switchboard.core.message;

/**
 * Bytes that are not a {@link Message} in {@link MessageCodec}'s format: truncated, an unknown version,
 * a length past its bound or past the end, malformed UTF-8, trailing bytes. The message names the field
 * and what was expected; nothing of the input is kept.
 */
public final class MessageFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public MessageFormatException(String message) {
        super(message);
    }
}
