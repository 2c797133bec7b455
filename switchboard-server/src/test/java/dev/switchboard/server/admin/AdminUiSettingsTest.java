package dev.switchboard.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.server.config.ConfigProblem;
import dev.switchboard.server.config.ServerConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** switchboard.admin-ui read from -D overrides: defaults, refusals with the key named, the hash kept out of logs. */
class AdminUiSettingsTest {

    private static ServerConfig load(Map<String, Object> overrides) throws ConfigProblem {
        return new ConfigLoader().load(Optional.empty(), Map.of(), overrides);
    }

    @Test
    void offByDefault() throws Exception {
        AdminUiSettings s = load(Map.of()).adminUi();
        assertThat(s.enabled()).isFalse();
        assertThat(s.auth()).isEqualTo(AdminUiSettings.Auth.BASIC);
        assertThat(s.mode()).isEqualTo(AdminUiSettings.Mode.DEVELOPMENT);
    }

    @Test
    void enabledNeedsABcryptHashUnlessAuthIsExplicitlyNone() throws Exception {
        assertThatThrownBy(() -> load(Map.of("switchboard.admin-ui.enabled", "true")))
                .isInstanceOf(ConfigProblem.class)
                .hasMessageContaining("switchboard.admin-ui.password-hash: expected a bcrypt hash")
                .hasMessageContaining("auth = none");
        assertThatThrownBy(() -> load(Map.of("switchboard.admin-ui.enabled", "true",
                "switchboard.admin-ui.password-hash", "plain-text-password")))
                .hasMessageContaining("found \"plain-text-p...\"");
        assertThat(load(Map.of("switchboard.admin-ui.enabled", "true", "switchboard.admin-ui.auth", "none"))
                .adminUi().auth()).isEqualTo(AdminUiSettings.Auth.NONE);
    }

    @Test
    void modeAndAuthAreChecked() {
        assertThatThrownBy(() -> load(Map.of("switchboard.admin-ui.mode", "staging")))
                .hasMessage("switchboard.admin-ui.mode: expected development or production, found \"staging\"");
        assertThatThrownBy(() -> load(Map.of("switchboard.log.format", "xml")))
                .hasMessage("switchboard.log.format: expected text or json, found \"xml\"");
    }

    @Test
    void thePasswordIsCheckedAgainstTheHashAndTheHashIsNotPrinted() throws Exception {
        AdminUiSettings s = load(Map.of("switchboard.admin-ui.enabled", "true",
                "switchboard.admin-ui.password-hash", AdminUiProtocolTest.HASH, "switchboard.admin-ui.read-only", "true",
                "switchboard.admin-ui.mode", "production")).adminUi();
        assertThat(s.passwordMatches("s3cret-pass")).isTrue();
        assertThat(s.passwordMatches("s3cret-pasS")).isFalse();
        assertThat(s.readOnly()).isTrue();
        assertThat(s.mode()).isEqualTo(AdminUiSettings.Mode.PRODUCTION);
        assertThat(s.toString()).doesNotContain(AdminUiProtocolTest.HASH).contains("passwordHash=***");
    }
}
