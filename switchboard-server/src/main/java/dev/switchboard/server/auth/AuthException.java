package dev.switchboard.server.auth;

/**
 * A token was refused. {@link #reason()} is short, stable text meant for the client and for metric tags
 * ({@code token missing}, {@code malformed token}, {@code bad signature}, {@code unknown key},
 * {@code token expired}, {@code token not yet valid}, {@code wrong issuer}, {@code wrong audience},
 * {@code no subject}, ...): it never contains the token.
 */
public final class AuthException extends Exception {

    private final String reason;

    public AuthException(String reason) {
        super(reason, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
