package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The crash test's check catches a store that forgets acknowledgements, and tolerates late ones. */
class InboxLedgerTest {

    private static final long S = 1_000_000_000L;

    @Test
    void aMessageAckedWellBeforeTheKillAndDeliveredAgainIsAForgottenAck() {
        InboxLedger ledger = new InboxLedger(Duration.ofSeconds(5));
        ledger.delivered(0, 1, true, 10 * S);
        ledger.delivered(0, 2, true, 18 * S);   // 2 s before the kill: its ack may have been lost
        ledger.delivered(0, 3, false, 11 * S);  // never acked: owed
        assertThat(ledger.settledAt(20 * S)).isEqualTo(1);
        ledger.killed(20 * S);
        // After the restart, a store that had kept every ack redelivers 2 (maybe) and 3 (surely) ...
        ledger.delivered(1, 2, true, 25 * S);
        ledger.delivered(1, 3, true, 25 * S);
        assertThat(ledger.forgotten()).isEmpty();
        // ... one that forgot the ack of 1 delivers it again: detected.
        ledger.delivered(1, 1, true, 26 * S);
        assertThat(ledger.forgotten()).singleElement().asString().startsWith("1 ");
        assertThat(ledger.duplicates()).isEqualTo(3);
        assertThat(ledger.settledCounts()).containsExactly(1);
    }

    @Test
    void settlementCarriesOverLaterKills() {
        InboxLedger ledger = new InboxLedger(Duration.ofSeconds(5));
        ledger.delivered(0, 1, true, 1 * S);
        ledger.killed(10 * S);
        ledger.killed(30 * S);
        ledger.delivered(2, 1, true, 40 * S);
        assertThat(ledger.forgotten()).hasSize(1);
    }
}
