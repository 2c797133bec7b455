package dev.switchboard.server.auth;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who a verified token says the bearer is.
 *
 * @param subject   the {@code sub} claim: the user id inboxes and presence use
 * @param scopes    the {@code scope} claim (space-separated string or array of strings); empty when absent
 * @param claims    every claim, as JSON values (for permissions)
 * @param expiresAt the {@code exp} claim; {@link Instant#MAX} for a static API token
 */
public record Identity(String subject, Set<String> scopes, Map<String, Object> claims, Instant expiresAt) {

    public Identity {
        scopes = Set.copyOf(scopes);
        claims = Map.copyOf(claims);
    }

    /** A claim that is a list of strings (a single string counts as a list of one); empty when absent. */
    public List<String> stringList(String claim) {
        Object v = claims.get(claim);
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> l) {
            return l.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }
}
