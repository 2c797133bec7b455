package dev.switchboard.bench.harness;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one scenario (or phase) for one server, in the order the report prints them.
 * Missing figures are absent, not zero; {@code note} says what stopped or limited the run.
 */
final class Result {

    final String scenario;
    final String server;
    final Map<String, Double> figures = new LinkedHashMap<>();
    String note = "";

    Result(String scenario, String server) {
        this.scenario = scenario;
        this.server = server;
    }

    Result put(String name, double value) {
        figures.put(name, value);
        return this;
    }

    Result note(String text) {
        note = note.isEmpty() ? text : note + "; " + text;
        return this;
    }
}
