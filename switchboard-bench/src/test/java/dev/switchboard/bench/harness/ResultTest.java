package dev.switchboard.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTest {

    @Test
    void mediansCombineRoundsPerScenarioAndServer() {
        List<Result> rounds = List.of(
                new Result("idle", "node").put("RSS KB/conn", 30).note("load avg 9"),
                new Result("idle", "netty-socketio").put("RSS KB/conn", 25),
                new Result("idle", "node").put("RSS KB/conn", 10).note("load avg 2"),
                new Result("idle", "netty-socketio").put("RSS KB/conn", 40).put("heap KB/conn", 6),
                new Result("idle", "node").put("RSS KB/conn", 20).note("load avg 9"));

        List<Result> m = Result.medians(rounds);

        assertThat(m).extracting(r -> r.server).containsExactly("node", "netty-socketio");
        assertThat(m.get(0).figures).containsEntry("RSS KB/conn", 20.0);
        assertThat(m.get(0).note).isEqualTo("load avg 2.0–9.0");
        assertThat(m.get(1).figures).containsEntry("RSS KB/conn", 25.0).containsEntry("heap KB/conn", 6.0);
    }
}
