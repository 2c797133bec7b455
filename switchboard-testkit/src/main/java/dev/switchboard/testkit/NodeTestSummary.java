package dev.switchboard.testkit;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The totals {@code node --test} prints at the end of its TAP report ({@code # tests 12},
 * {@code # pass 12}, {@code # skipped 0}, ...). Only unindented lines count: nested subtests indent
 * theirs. The last occurrence of each key wins, which is the run's grand total.
 *
 * <p>A file that declares no test at all is itself reported as one passing test named by its path;
 * {@link #parse(String, String)} does not count that one, so an empty file reports zero tests.
 */
public record NodeTestSummary(int tests, int passed, int failed, int cancelled, int skipped, int todo) {

    private static final Pattern LINE =
            Pattern.compile("^# (tests|pass|fail|cancelled|skipped|todo) (\\d+)$", Pattern.MULTILINE);

    /**
     * Reads the summary from the TAP report of a run of {@code file}; empty unless it holds every one
     * of the six totals.
     */
    public static Optional<NodeTestSummary> parse(String tap, String file) {
        int fileLevel = tap.lines().anyMatch(line -> line.equals("ok 1 - " + file)) ? 1 : 0;
        return parse(tap).map(s -> new NodeTestSummary(s.tests() - fileLevel, s.passed() - fileLevel, s.failed(),
                s.cancelled(), s.skipped(), s.todo()));
    }

    /** Reads the summary from a TAP report as printed; empty unless it holds every one of the six totals. */
    public static Optional<NodeTestSummary> parse(String tap) {
        Map<String, Integer> totals = new HashMap<>();
        Matcher m = LINE.matcher(tap);
        while (m.find()) {
            totals.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        if (totals.size() < 6) {
            return Optional.empty();
        }
        return Optional.of(new NodeTestSummary(totals.get("tests"), totals.get("pass"), totals.get("fail"),
                totals.get("cancelled"), totals.get("skipped"), totals.get("todo")));
    }
}
