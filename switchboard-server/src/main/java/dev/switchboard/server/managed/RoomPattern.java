package dev.switchboard.server.managed;

import java.util.regex.Pattern;

/**
 * A room pattern of a permission: {@code *} any run of characters, {@code ?} one character, and
 * {@code {sub}} the user id of the token (so {@code user:{sub}} is each user's own room). A pattern with
 * {@code {sub}} matches nothing for a client without a verified token. Immutable.
 */
record RoomPattern(String text) {

    private static final String SUB = "{sub}";

    RoomPattern {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a room pattern must not be empty");
        }
    }

    /** Whether {@code room} matches for the user {@code sub} (null: no verified user). */
    boolean matches(String room, String sub) {
        String p = text;
        if (p.contains(SUB)) {
            if (sub == null) {
                return false;
            }
            // The user id is literal text inside the pattern: a '*' in a sub is not a wildcard.
            StringBuilder regex = new StringBuilder();
            int from = 0;
            for (int i = p.indexOf(SUB); i >= 0; i = p.indexOf(SUB, from)) {
                regex.append(glob(p.substring(from, i))).append(Pattern.quote(sub));
                from = i + SUB.length();
            }
            regex.append(glob(p.substring(from)));
            return room.matches(regex.toString());
        }
        return room.matches(glob(p));
    }

    private static String glob(String g) {
        StringBuilder sb = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : g.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    sb.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                sb.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            sb.append(Pattern.quote(literal.toString()));
        }
        return sb.toString();
    }
}
