package dev.switchboard.server.admin;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.switchboard.server.config.ConfigProblem;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code switchboard.admin-ui}: the official Socket.IO admin UI ({@code @socket.io/admin-ui} 0.5) served
 * at {@code /admin/}, and the {@code /admin} namespace it speaks to. Immutable; validated when read.
 *
 * @param enabled      off by default
 * @param auth         {@link Auth#BASIC} (username and bcrypt hash) unless explicitly {@link Auth#NONE}
 * @param username     the one user allowed in
 * @param passwordHash bcrypt hash ({@code $2a$}, {@code $2b$} or {@code $2y$}) of that user's password
 * @param readOnly     when true the UI may look but not act (no join, leave, disconnect, emit)
 * @param mode         {@link Mode#DEVELOPMENT} sends every socket, room and event to the UI;
 *                     {@link Mode#PRODUCTION} only the aggregated server statistics
 */
public record AdminUiSettings(boolean enabled, Auth auth, String username, String passwordHash, boolean readOnly,
                              Mode mode) {

    /** The namespace the UI connects to (its default, and the only one this server answers on). */
    public static final String NAMESPACE = "/admin";

    public enum Auth { BASIC, NONE }

    /** The UI's two modes, named as the npm package names them. */
    public enum Mode {
        DEVELOPMENT, PRODUCTION;

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AdminUiSettings {
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(passwordHash, "passwordHash");
        Objects.requireNonNull(mode, "mode");
    }

    /** Off. */
    public static AdminUiSettings defaults() {
        return new AdminUiSettings(false, Auth.BASIC, "admin", "", false, Mode.DEVELOPMENT);
    }

    /** Reads {@code switchboard.admin-ui.*} from the merged configuration (every key has a default). */
    public static AdminUiSettings read(Config config) throws ConfigProblem {
        String p = "switchboard.admin-ui.";
        try {
            boolean enabled = config.getBoolean(p + "enabled");
            Auth auth = choice(config, p + "auth", Auth.class);
            String username = config.getString(p + "username");
            String hash = config.getString(p + "password-hash");
            boolean readOnly = config.getBoolean(p + "read-only");
            Mode mode = choice(config, p + "mode", Mode.class);
            if (enabled && auth == Auth.BASIC) {
                if (username.isBlank()) {
                    throw new ConfigProblem(p + "username: must not be empty when the admin UI is enabled");
                }
                if (!isBcrypt(hash)) {
                    throw new ConfigProblem(p + "password-hash: expected a bcrypt hash such as $2a$10$... "
                            + "(htpasswd -bnBC 10 \"\" 'password' | tr -d ':\\n'), found "
                            + (hash.isEmpty() ? "nothing" : "\"" + abbreviate(hash) + "\"")
                            + "; to run without a password set " + p + "auth = none");
                }
            }
            return new AdminUiSettings(enabled, auth, username, hash, readOnly, mode);
        } catch (ConfigException e) {
            throw new ConfigProblem(oneLine(e.getMessage()));
        }
    }

    /** Whether {@code hash} is a bcrypt hash the verifier accepts: version, cost 04-31, 53 characters of salt and hash. */
    static boolean isBcrypt(String hash) {
        return hash.matches("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    }

    /** Checks a password against the configured hash; costs one bcrypt round (tens of milliseconds at cost 10). */
    boolean passwordMatches(String password) {
        return BCrypt.verifyer().verify(password.getBytes(StandardCharsets.UTF_8),
                passwordHash.getBytes(StandardCharsets.UTF_8)).verified;
    }

    private static <E extends Enum<E>> E choice(Config config, String path, Class<E> type) throws ConfigProblem {
        String value = config.getString(path);
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : " or ").append(c.name().toLowerCase(Locale.ROOT));
            }
            throw new ConfigProblem(path + ": expected " + allowed + ", found \"" + abbreviate(value) + "\"");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 12 ? s.substring(0, 12) + "..." : s;
    }

    private static String oneLine(String message) {
        return message == null ? "invalid" : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    @Override
    public String toString() {
        return "AdminUiSettings[enabled=" + enabled + ", auth=" + auth + ", username=" + username
                + ", passwordHash=***, readOnly=" + readOnly + ", mode=" + mode.text() + "]";
    }
}
