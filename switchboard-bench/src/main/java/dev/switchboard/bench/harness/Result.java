package dev.switchboard.bench.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The figures of one scenario (or phase) for one server, in the order the report prints them.
 * Missing figures are absent, not zero; {@code note} says what stopped or limited the run.
 */
final class Result {

    /** Prefix of the note giving the machine's load average when a scenario began. */
    static final String LOAD_AVG = "load avg ";

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

    /**
     * One result per (scenario, server), in first-seen order: each figure the median of its rounds
     * (the lower middle for an even count), notes of all rounds joined without repeats, load averages
     * as their range.
     */
    static List<Result> medians(List<Result> rounds) {
        Map<String, List<Result>> groups = new LinkedHashMap<>();
        for (Result r : rounds) {
            groups.computeIfAbsent(r.scenario + "\u0000" + r.server, k -> new ArrayList<>()).add(r);
        }
        List<Result> out = new ArrayList<>();
        for (List<Result> g : groups.values()) {
            Result m = new Result(g.get(0).scenario, g.get(0).server);
            Set<String> keys = new LinkedHashSet<>();
            Set<String> notes = new LinkedHashSet<>();
            double loadMin = Double.MAX_VALUE;
            double loadMax = -1;
            for (Result r : g) {
                keys.addAll(r.figures.keySet());
                for (String part : r.note.split("; ")) {
                    if (part.startsWith(LOAD_AVG)) {
                        try {
                            double l = Double.parseDouble(part.substring(LOAD_AVG.length()));
                            loadMin = Math.min(loadMin, l);
                            loadMax = Math.max(loadMax, l);
                            continue;
                        } catch (NumberFormatException e) {
                            // not a number ("?"): keep the note as it is
                        }
                    }
                    if (!part.isEmpty()) {
                        notes.add(part);
                    }
                }
            }
            if (loadMax >= 0) {
                notes.add(loadMin == loadMax ? LOAD_AVG + loadMin : LOAD_AVG + loadMin + "–" + loadMax);
            }
            for (String k : keys) {
                List<Double> values = new ArrayList<>();
                g.forEach(r -> {
                    if (r.figures.containsKey(k)) {
                        values.add(r.figures.get(k));
                    }
                });
                values.sort(null);
                m.put(k, values.get((values.size() - 1) / 2));
            }
            notes.forEach(m::note);
            out.add(m);
        }
        return out;
    }
}
