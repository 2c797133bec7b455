package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A {@code node --test} run that executes nothing exits 0; NodePeers must reject it all the same, and
 * accept a run only when the runner's summary matches what the caller expected.
 */
class NodePeersTest {

    private static final Path SCRIPT = Path.of("src/test/js/counted.test.cjs");
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    private static NodePeers.Result run(String mode, NodePeers.Expected expected, String... runnerArgs) {
        return NodePeers.test(SCRIPT, Map.of("MODE", mode), TIMEOUT, expected, runnerArgs);
    }

    @Test
    void aRunThatPassesTheExpectedCountSucceeds() {
        NodePeers.Result r = run("all", NodePeers.Expected.passed(3)).assertSucceeded();
        assertThat(r.summary()).contains(new NodeTestSummary(3, 3, 0, 0, 0, 0));
    }

    @Test
    void aRunWhereEveryTestIsSkippedIsRejectedThoughNodeExitsZero() {
        NodePeers.Result r = run("skipall", NodePeers.Expected.passed(3));
        assertThat(r.exitCode()).isZero();
        assertThat(r.summary()).contains(new NodeTestSummary(3, 0, 0, 0, 3, 0));
        assertThatThrownBy(r::assertSucceeded).isInstanceOf(AssertionError.class)
                .hasMessageContaining("passed 0, expected 3").hasMessageContaining("skipped 3, allowed 0");
    }

    @Test
    void aFileWithNoTestIsRejected() {
        // Node reports such a file as one passing test named by its path; that one does not count.
        NodePeers.Result r = run("none", NodePeers.Expected.atLeast(1));
        assertThat(r.exitCode()).isZero();
        assertThat(r.summary()).contains(new NodeTestSummary(0, 0, 0, 0, 0, 0));
        assertThatThrownBy(r::assertSucceeded).hasMessageContaining("passed 0, expected at least 1");
    }

    @Test
    void aNamePatternThatMatchesNothingIsRejected() {
        NodePeers.Result r = run("all", NodePeers.Expected.atLeast(1), "--test-name-pattern=no such test");
        assertThat(r.exitCode()).isZero();
        assertThatThrownBy(r::assertSucceeded).hasMessageContaining("passed 0");
    }

    @Test
    void aSkippedTestIsRejectedUnlessTheCallerAllowsIt() {
        assertThatThrownBy(() -> run("onlyskip", NodePeers.Expected.passed(2)).assertSucceeded())
                .hasMessageContaining("skipped 1, allowed 0");
        run("onlyskip", NodePeers.Expected.passed(2).skipping(1)).assertSucceeded();
    }

    @Test
    void moreOrFewerTestsThanExpectedAreRejected() {
        assertThatThrownBy(() -> run("all", NodePeers.Expected.passed(4)).assertSucceeded())
                .hasMessageContaining("passed 3, expected 4");
        assertThatThrownBy(() -> run("all", NodePeers.Expected.passed(2)).assertSucceeded())
                .hasMessageContaining("passed 3, expected 2");
    }

    @Test
    void summaryParsingUsesTheTopLevelTotals() {
        String tap = """
                TAP version 13
                # Subtest: suite
                    # tests 9
                    # pass 0
                ok 1 - suite
                1..1
                # tests 4
                # suites 1
                # pass 3
                # fail 0
                # cancelled 0
                # skipped 1
                # todo 0
                # duration_ms 12.5
                """;
        assertThat(NodeTestSummary.parse(tap)).contains(new NodeTestSummary(4, 3, 0, 0, 1, 0));
        assertThat(NodeTestSummary.parse("ok 1 - x\n# pass 1\n")).isEmpty();
        String emptyFile = "# Subtest: /a/b.cjs\nok 1 - /a/b.cjs\n1..1\n# tests 1\n# suites 0\n# pass 1\n# fail 0\n"
                + "# cancelled 0\n# skipped 0\n# todo 0\n";
        assertThat(NodeTestSummary.parse(emptyFile, "/a/b.cjs")).contains(new NodeTestSummary(0, 0, 0, 0, 0, 0));
    }
}
